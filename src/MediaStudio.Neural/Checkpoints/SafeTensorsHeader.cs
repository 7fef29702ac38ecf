using static TorchSharp.torch;

namespace MediaStudio.Neural.Checkpoints;

/// <summary>One tensor's header entry in a safetensors file.</summary>
/// <param name="Key">Tensor key.</param>
/// <param name="Dtype">Element type.</param>
/// <param name="Shape">Shape.</param>
/// <param name="Begin">First data byte, relative to the data section.</param>
/// <param name="End">One past the last data byte, relative to the data section.</param>
public sealed record SafeTensorsEntry(string Key, ScalarType Dtype, long[] Shape, long Begin, long End)
{
    /// <summary>Gets the number of data bytes.</summary>
    public long ByteLength => End - Begin;
}

/// <summary>The parsed header of a safetensors file.</summary>
/// <param name="Entries">Tensor entries sorted by data offset.</param>
/// <param name="Metadata">The "__metadata__" string map (empty when absent).</param>
/// <param name="DataStart">Absolute byte offset of the data section (8 + header length).</param>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);
