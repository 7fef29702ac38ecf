using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>Word-level tokenizer over the procedural world's closed caption vocabulary (plus punctuation).</summary>
/// <remarks>
/// Text is lowercased and split into runs of letters, runs of digits and single punctuation characters
/// ("five-pointed" -> "five", "-", "pointed"). Ids: 0 &lt;pad&gt;, 1 &lt;bos&gt;, 2 &lt;eos&gt;, 3 &lt;unk&gt;, then the
/// words in ordinal order. <see cref="Encode"/> always returns <see cref="ContextLength"/> ids:
/// &lt;bos&gt; w_1 .. w_n &lt;eos&gt; &lt;pad&gt;..., with the words truncated to <c>ContextLength - 2</c>, so exactly one
/// &lt;eos&gt; is present and the text encoder pools there. Saved as <c>vocab.json</c> beside the model.
/// </remarks>
public sealed partial class ClipTokenizer
{
    /// <summary>The padding id.</summary>
    public const int PadId = 0;

    /// <summary>The begin-of-text id.</summary>
    public const int BosId = 1;

    /// <summary>The end-of-text id; the pooled text feature is read here.</summary>
    public const int EosId = 2;

    /// <summary>The id of words outside the vocabulary.</summary>
    public const int UnkId = 3;

    /// <summary>The file name inside a model folder.</summary>
    public const string VocabFileName = "vocab.json";

    private static readonly string[] Specials = ["<pad>", "<bos>", "<eos>", "<unk>"];
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a tokenizer from its words (the four special tokens are added in front).</summary>
    /// <param name="words">Vocabulary words (distinct, no special tokens); kept in the given order after the specials.</param>
    /// <param name="contextLength">Ids per encoded text, bos and eos included (at least 2).</param>
    public ClipTokenizer(IEnumerable<string> words, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 2);
        _tokens = [.. Specials, .. words];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++)
        {
            if (!_ids.TryAdd(_tokens[i], i))
            {
                throw new ArgumentException($"the vocabulary lists '{_tokens[i]}' twice", nameof(words));
            }
        }

        ContextLength = contextLength;
    }

    /// <summary>Gets T, the number of ids every encoded text has.</summary>
    public int ContextLength { get; }

    /// <summary>Gets the number of ids (special tokens included).</summary>
    public int VocabSize => _tokens.Length;

    /// <summary>Gets every token by id.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Builds the vocabulary from the world: every word of many generated captions plus every phrase table entry.</summary>
    /// <param name="contextLength">T.</param>
    /// <param name="scenes">Scenes to caption (four captions each, half of them degraded).</param>
    /// <returns>The tokenizer; the same arguments always give the same vocabulary.</returns>
    public static ClipTokenizer BuildFromWorld(int contextLength, int scenes = 5000)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var options = new SceneSamplerOptions { DegradationRate = 0.5 };
        for (var seed = 0; seed < scenes; seed++)
        {
            foreach (var caption in Captioner.Captions(SceneSampler.Sample(seed, options).Label, seed, 4))
            {
                words.UnionWith(Split(caption));
            }
        }

        // the phrase tables themselves, so a rare synonym the sampled captions missed is still known
        IEnumerable<string> phrases =
        [
            .. Phrases.Colors.Values.SelectMany(v => v), .. Phrases.Shapes.Values.SelectMany(v => v),
            .. Phrases.Sizes.Values.SelectMany(v => v), .. Phrases.TextureAdjectives.Values.SelectMany(v => v),
            .. Phrases.TextureSuffixes.Values.SelectMany(v => v), .. Phrases.Regions.Values.SelectMany(v => v),
            .. Phrases.Relations.Values.SelectMany(v => v), .. Phrases.Backgrounds.Values.SelectMany(v => v),
            .. Phrases.BackgroundKindWords.Keys, .. Phrases.DegradationPrefixes.Values.SelectMany(v => v),
            .. Phrases.DegradationSuffixes.Values.SelectMany(v => v), "background", "backdrop", "there", "is", "are", "and",
        ];
        foreach (var phrase in phrases)
        {
            words.UnionWith(Split(phrase.Replace("{0}", " ", StringComparison.Ordinal).Replace("{1}", " ", StringComparison.Ordinal)));
        }

        words.ExceptWith(Specials);
        return new ClipTokenizer(words.Order(StringComparer.Ordinal), contextLength);
    }

    /// <summary>Splits text into lowercase words and punctuation characters, lazily (a huge text costs only what is read).</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The pieces in order.</returns>
    public static IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var match = Piece().Match(text); match.Success; match = match.NextMatch())
        {
            yield return match.Value.ToLowerInvariant();
        }
    }

    /// <summary>Returns the id of one piece, or <see cref="UnkId"/>.</summary>
    /// <param name="piece">A lowercase word or punctuation character.</param>
    /// <returns>The id.</returns>
    public int IdOf(string piece) => _ids.GetValueOrDefault(piece, UnkId);

    /// <summary>Encodes a text to exactly <see cref="ContextLength"/> ids: bos, words (truncated), eos, padding.</summary>
    /// <param name="text">Any text; longer texts are truncated, never rejected.</param>
    /// <returns>The ids.</returns>
    public int[] Encode(string text)
    {
        var ids = new int[ContextLength]; // zero = <pad>
        ids[0] = BosId;
        var n = 1;
        foreach (var piece in Split(text).Take(ContextLength - 2))
        {
            ids[n++] = IdOf(piece);
        }

        ids[n] = EosId;
        return ids;
    }

    /// <summary>Encodes texts to a (B, T) int64 tensor.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>(B, T) ids on the CPU; the caller owns it.</returns>
    public Tensor EncodeBatch(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var data = new long[texts.Count * ContextLength];
        for (var b = 0; b < texts.Count; b++)
        {
            var ids = Encode(texts[b]);
            for (var t = 0; t < ids.Length; t++)
            {
                data[(b * ContextLength) + t] = ids[t];
            }
        }

        return tensor(data, [texts.Count, ContextLength]);
    }

    /// <summary>Counts the ids a text needs untruncated (bos and eos included).</summary>
    /// <param name="text">Any text.</param>
    /// <returns>Words + 2.</returns>
    public static int CountTokens(string text) => Split(text).Count() + 2;

    /// <summary>Turns ids back into text: the words between bos and eos joined by spaces (punctuation attached).</summary>
    /// <param name="ids">Ids as produced by <see cref="Encode"/>.</param>
    /// <returns>The text.</returns>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new System.Text.StringBuilder();
        foreach (var id in ids)
        {
            if (id == EosId)
            {
                break;
            }

            if (id is PadId or BosId)
            {
                continue;
            }

            var token = id >= 0 && id < _tokens.Length ? _tokens[id] : Specials[UnkId];
            var attach = token.Length == 1 && !char.IsLetterOrDigit(token[0]);
            if (text.Length > 0 && !attach && text[^1] != '-')
            {
                text.Append(' ');
            }

            text.Append(token);
        }

        return text.ToString();
    }

    /// <summary>Writes vocab.json into a folder.</summary>
    /// <param name="folder">Model folder.</param>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var file = new VocabFile(ContextLength, _tokens);
        AtomicFile.WriteAllText(Path.Combine(folder, VocabFileName), JsonSerializer.Serialize(file, Json) + "\n");
    }

    /// <summary>Reads vocab.json from a folder after checking its SHA-256 in the folder's manifest.</summary>
    /// <param name="folder">Model folder.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="CheckpointException">The file is missing, unlisted, altered or malformed.</exception>
    public static ClipTokenizer Load(string folder)
    {
        Sha256Manifest.Verify(folder, VocabFileName);
        VocabFile? file;
        try
        {
            file = JsonSerializer.Deserialize<VocabFile>(File.ReadAllText(Path.Combine(folder, VocabFileName)));
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{VocabFileName} in {folder} is not valid: {e.Message}", e);
        }

        if (file?.Tokens is not { Count: > 4 } tokens || !tokens.Take(4).SequenceEqual(Specials) || file.ContextLength < 2)
        {
            throw new CheckpointException($"{VocabFileName} in {folder} must start with {string.Join(", ", Specials)} and have context_length >= 2");
        }

        return new ClipTokenizer(tokens.Skip(4), file.ContextLength);
    }

    [GeneratedRegex(@"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]", RegexOptions.CultureInvariant)]
    private static partial Regex Piece();

    private sealed record VocabFile(
        [property: JsonPropertyName("context_length")] int ContextLength,
        [property: JsonPropertyName("tokens")] IReadOnlyList<string> Tokens);
}
