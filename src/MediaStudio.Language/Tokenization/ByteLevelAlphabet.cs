namespace MediaStudio.Language.Tokenization;

/// <summary>GPT-2's reversible map from the 256 byte values to printable characters, the alphabet of a byte-level BPE.</summary>
/// <remarks>
/// Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 bytes (controls, space,
/// soft hyphen...) map to U+0100 onwards in byte order, so a space becomes 'Ġ'. vocab.json and merges.txt are written
/// in this alphabet, as GPT-2's are, and Microsoft.ML.Tokenizers' byte-level BPE reads them back.
/// </remarks>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();

    /// <summary>Gets the character that stands for byte <paramref name="value"/>.</summary>
    public static char Symbol(byte value) => ByteToChar[value];

    /// <summary>Maps UTF-8 bytes to their alphabet string.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    private static char[] Build()
    {
        var map = new char[256];
        var printable = new bool[256];
        foreach (var (from, to) in new[] { ('!', '~'), ('¡', '¬'), ('®', 'ÿ') })
        {
            for (var c = from; c <= to; c++)
            {
                printable[c] = true;
                map[c] = c;
            }
        }

        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            if (!printable[b])
            {
                map[b] = (char)next++;
            }
        }

        return map;
    }
}
