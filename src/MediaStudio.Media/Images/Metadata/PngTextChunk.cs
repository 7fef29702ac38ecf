namespace MediaStudio.Media.Images.Metadata;

/// <summary>One text chunk of a PNG file.</summary>
/// <param name="Keyword">The chunk's keyword, e.g. <c>parameters</c>.</param>
/// <param name="Text">The decoded text (decompressed for zTXt and compressed iTXt).</param>
/// <param name="ChunkType">How it was stored: <c>tEXt</c>, <c>zTXt</c> or <c>iTXt</c>.</param>
public sealed record PngTextChunk(string Keyword, string Text, string ChunkType);
