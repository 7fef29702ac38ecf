namespace MediaStudio.Language.Tokenization;

/// <summary>The special tokens of the captioner's vocabulary; they follow the byte alphabet and the merges.</summary>
public static class SpecialTokens
{
    /// <summary>Begins a text sequence.</summary>
    public const string BeginOfText = "<|bos|>";

    /// <summary>Ends a text sequence; generation stops at it.</summary>
    public const string EndOfText = "<|eos|>";

    /// <summary>Fills batch rows after their end.</summary>
    public const string Padding = "<|pad|>";

    /// <summary>Opens a block of image tokens (one per frame of a clip).</summary>
    public const string Image = "<|image|>";

    /// <summary>Separates paragraphs of a longer description.</summary>
    public const string Paragraph = "<|paragraph|>";

    /// <summary>Separates the turns of a conversation about an image or clip.</summary>
    public const string Turn = "<|turn|>";

    /// <summary>Gets every special token in vocabulary order.</summary>
    public static IReadOnlyList<string> All { get; } = [BeginOfText, EndOfText, Padding, Image, Paragraph, Turn];
}
