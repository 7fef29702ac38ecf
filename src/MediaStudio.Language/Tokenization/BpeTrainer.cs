using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MediaStudio.Language.Tokenization;

/// <summary>Learns a byte-level BPE (Sennrich et al., 2016; GPT-2's byte alphabet) from a corpus and writes vocab.json + merges.txt.</summary>
/// <remarks>
/// Algorithm: split each text with GPT-2's pre-tokenisation regex, spell every piece in the 256-symbol byte alphabet,
/// then repeatedly merge the most frequent adjacent pair (counted over pieces weighted by frequency; ties broken by
/// the pair's ordinal order so a corpus always gives the same merges) until the vocabulary holds
/// 256 + merges + specials entries. Ids: bytes 0-255 in byte order, merged tokens in merge order, special tokens last.
/// Only training is ours; encoding and decoding at run time go through Microsoft.ML.Tokenizers (<see cref="CaptionTokenizer"/>).
/// </remarks>
public static partial class BpeTrainer
{
    /// <summary>The vocabulary file name.</summary>
    public const string VocabFileName = "vocab.json";

    /// <summary>The merges file name.</summary>
    public const string MergesFileName = "merges.txt";

    /// <summary>GPT-2's pre-tokenisation pattern: contractions, letters, digits and other runs, each with one leading space.</summary>
    public const string PreTokenizePattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly JsonSerializerOptions VocabJson = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Learns merges until the vocabulary (bytes + merges + special tokens) reaches <paramref name="vocabSize"/> or no pair repeats.</summary>
    /// <param name="corpus">Training texts.</param>
    /// <param name="vocabSize">Target vocabulary size including the 256 bytes and <see cref="SpecialTokens.All"/>.</param>
    /// <returns>Vocabulary (token to id) and merges in order.</returns>
    public static (IReadOnlyDictionary<string, int> Vocab, IReadOnlyList<(string Left, string Right)> Merges) Train(IEnumerable<string> corpus, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var minimum = 256 + SpecialTokens.All.Count;
        if (vocabSize < minimum)
        {
            throw new ArgumentException($"vocab size must be at least {minimum} (bytes + special tokens), got {vocabSize}", nameof(vocabSize));
        }

        // 1. piece frequencies, each piece spelled in the byte alphabet
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in corpus)
        {
            foreach (Match piece in PreTokenizeRegex().Matches(text))
            {
                var spelled = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(piece.Value));
                counts[spelled] = counts.GetValueOrDefault(spelled) + 1;
            }
        }

        var words = counts.Select(kv => (Symbols: kv.Key.Select(c => c.ToString()).ToList(), Count: kv.Value)).ToList();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.Symbol((byte)b).ToString()] = b;
        }

        // 2. greedy merges of the most frequent pair
        var merges = new List<(string, string)>();
        while (vocab.Count + SpecialTokens.All.Count < vocabSize)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairs[pair] = pairs.GetValueOrDefault(pair) + count;
                }
            }

            if (pairs.Count == 0)
            {
                break;
            }

            var best = pairs.OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
                .ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
                .First();
            if (best.Value < 2)
            {
                break;
            }

            var (left, right) = best.Key;
            var merged = left + right;
            merges.Add((left, right));
            vocab.TryAdd(merged, vocab.Count);
            foreach (var (symbols, _) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = merged;
                        symbols.RemoveAt(i + 1);
                    }
                }
            }
        }

        foreach (var special in SpecialTokens.All)
        {
            vocab[special] = vocab.Count;
        }

        return (vocab, merges);
    }

    /// <summary>Writes vocab.json and merges.txt (GPT-2 format, "#version: 0.2" header) into a folder.</summary>
    public static void Save(string folder, IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(merges);
        Directory.CreateDirectory(folder);
        var ordered = vocab.OrderBy(kv => kv.Value).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        File.WriteAllText(Path.Combine(folder, VocabFileName), JsonSerializer.Serialize(ordered, VocabJson) + "\n", new UTF8Encoding(false));
        var lines = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in merges)
        {
            lines.Append(left).Append(' ').Append(right).Append('\n');
        }

        File.WriteAllText(Path.Combine(folder, MergesFileName), lines.ToString(), new UTF8Encoding(false));
    }

    [GeneratedRegex(PreTokenizePattern, RegexOptions.CultureInvariant)]
    internal static partial Regex PreTokenizeRegex();
}
