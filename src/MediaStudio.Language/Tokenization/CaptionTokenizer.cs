using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace MediaStudio.Language.Tokenization;

/// <summary>The captioner's tokenizer at run time: a byte-level BPE loaded from vocab.json + merges.txt through Microsoft.ML.Tokenizers.</summary>
/// <remarks>
/// Any text round-trips: every byte has a token, so characters never seen in training (non-ASCII, emoji, control
/// bytes) encode to byte tokens. Special tokens (<see cref="SpecialTokens"/>) are matched whole before pre-tokenisation.
/// </remarks>
public sealed class CaptionTokenizer
{
    private readonly BpeTokenizer _bpe;

    private CaptionTokenizer(BpeTokenizer bpe, IReadOnlyDictionary<string, int> specials, int vocabSize)
    {
        _bpe = bpe;
        VocabSize = vocabSize;
        BeginOfText = specials[SpecialTokens.BeginOfText];
        EndOfText = specials[SpecialTokens.EndOfText];
        Padding = specials[SpecialTokens.Padding];
        Image = specials[SpecialTokens.Image];
        Paragraph = specials[SpecialTokens.Paragraph];
        Turn = specials[SpecialTokens.Turn];
    }

    /// <summary>Gets the number of ids (bytes, merges and special tokens).</summary>
    public int VocabSize { get; }

    /// <summary>Gets the id of <see cref="SpecialTokens.BeginOfText"/>.</summary>
    public int BeginOfText { get; }

    /// <summary>Gets the id of <see cref="SpecialTokens.EndOfText"/>.</summary>
    public int EndOfText { get; }

    /// <summary>Gets the id of <see cref="SpecialTokens.Padding"/>.</summary>
    public int Padding { get; }

    /// <summary>Gets the id of <see cref="SpecialTokens.Image"/>.</summary>
    public int Image { get; }

    /// <summary>Gets the id of <see cref="SpecialTokens.Paragraph"/>.</summary>
    public int Paragraph { get; }

    /// <summary>Gets the id of <see cref="SpecialTokens.Turn"/>.</summary>
    public int Turn { get; }

    /// <summary>Returns whether a folder holds tokenizer files.</summary>
    public static bool Exists(string folder) =>
        File.Exists(Path.Combine(folder, BpeTrainer.VocabFileName)) && File.Exists(Path.Combine(folder, BpeTrainer.MergesFileName));

    /// <summary>Loads vocab.json and merges.txt from a folder.</summary>
    /// <exception cref="InvalidDataException">The vocabulary lacks a special token.</exception>
    public static CaptionTokenizer Load(string folder)
    {
        var vocabPath = Path.Combine(folder, BpeTrainer.VocabFileName);
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath))
            ?? throw new InvalidDataException($"{vocabPath} is empty");
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in SpecialTokens.All)
        {
            specials[token] = vocab.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"{vocabPath} lacks the special token {token}");
        }

        var options = new BpeOptions(vocabPath, Path.Combine(folder, BpeTrainer.MergesFileName))
        {
            ByteLevel = true,
            SpecialTokens = specials,
            PreTokenizer = new RegexPreTokenizer(new Regex(BpeTrainer.PreTokenizePattern, RegexOptions.CultureInvariant | RegexOptions.Compiled), specials),
        };
        return new CaptionTokenizer(BpeTokenizer.Create(options), specials, vocab.Values.Max() + 1);
    }

    /// <summary>Encodes text to ids (no begin or end token added).</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _bpe.EncodeToIds(text);
    }

    /// <summary>Decodes ids to text; special tokens come out as their text.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _bpe.Decode(ids) ?? string.Empty;
    }

    /// <summary>Returns whether an id is one of the special tokens.</summary>
    public bool IsSpecial(int id) => id == BeginOfText || id == EndOfText || id == Padding || id == Image || id == Paragraph || id == Turn;
}
