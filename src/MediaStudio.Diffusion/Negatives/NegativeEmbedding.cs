using System.Text.Json;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>
/// A learned negative embedding (ReNeg): a whole text-encoder output, tokens x width, that replaces the empty prompt's
/// token states in the unconditional branch of classifier-free guidance.
/// </summary>
/// <remarks>
/// A folder <c>models/negatives/&lt;name&gt;/</c> holds <c>embedding.safetensors</c> (one tensor, key <c>embedding</c>,
/// shape (T, D)), <c>card.json</c> and a <c>SHA256SUMS</c> manifest that loading checks first.
/// </remarks>
public sealed class NegativeEmbedding : IDisposable
{
    /// <summary>The tensor file name.</summary>
    public const string TensorFileName = "embedding.safetensors";

    /// <summary>The card file name.</summary>
    public const string CardFileName = "card.json";

    /// <summary>The tensor key inside the safetensors file.</summary>
    public const string TensorKey = "embedding";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Wraps a (T, D) tensor and its card.</summary>
    /// <exception cref="ArgumentException">The tensor is not two-dimensional or disagrees with the card.</exception>
    public NegativeEmbedding(Tensor states, NegativeEmbeddingCard card)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(card);
        if (states.dim() != 2)
        {
            throw new ArgumentException($"a negative embedding is (tokens, width), got ({string.Join(", ", states.shape)})", nameof(states));
        }

        if (states.shape[0] != card.Tokens || states.shape[1] != card.Width)
        {
            throw new ArgumentException($"the tensor is ({string.Join(", ", states.shape)}) but the card says ({card.Tokens}, {card.Width})", nameof(card));
        }

        States = states;
        Card = card;
    }

    /// <summary>Gets the (T, D) token states.</summary>
    public Tensor States { get; }

    /// <summary>Gets the card.</summary>
    public NegativeEmbeddingCard Card { get; }

    /// <summary>Gets the embedding's name.</summary>
    public string Name => Card.Name;

    /// <summary>Lists the embeddings under a folder such as <c>models/negatives</c>, by name, without loading tensors.</summary>
    /// <returns>Name and card of each sub-folder that has a readable card; unreadable ones are skipped.</returns>
    public static IReadOnlyList<NegativeEmbeddingCard> List(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        var cards = new List<NegativeEmbeddingCard>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, CardFileName);
            try
            {
                if (File.Exists(path) && JsonSerializer.Deserialize<NegativeEmbeddingCard>(File.ReadAllText(path)) is { } card)
                {
                    cards.Add(card);
                }
            }
            catch (JsonException)
            {
                // a damaged card is not offered; Load reports it when asked for by name
            }
        }

        return cards;
    }

    /// <summary>Checks that a name is a plain folder name (letters, digits, '-', '_', '.'), so it cannot leave the root.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or has other characters.</exception>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.StartsWith('.') ||
            !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"'{name}' is not a valid embedding name: use 1-64 letters, digits, '-', '_' or '.', not starting with '.'", nameof(name));
        }
    }

    /// <summary>Loads <c>root/name</c> after checking its SHA-256 manifest.</summary>
    /// <param name="root">Folder of embeddings, e.g. <c>models/negatives</c>.</param>
    /// <param name="name">Embedding name.</param>
    /// <param name="device">Device for the tensor; CPU when null.</param>
    /// <exception cref="CheckpointException">Missing, altered or malformed files.</exception>
    public static NegativeEmbedding Load(string root, string name, Device? device = null)
    {
        ValidateName(name);
        var folder = Path.Combine(root, name);
        if (!Directory.Exists(folder))
        {
            var known = List(root).Select(c => c.Name).ToList();
            throw new CheckpointException($"no negative embedding named '{name}' in {root}; known: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
        }

        Sha256Manifest.Verify(folder, CardFileName);
        Sha256Manifest.Verify(folder, TensorFileName);
        var card = JsonSerializer.Deserialize<NegativeEmbeddingCard>(File.ReadAllText(Path.Combine(folder, CardFileName)))
            ?? throw new CheckpointException($"{folder}/{CardFileName} is empty");
        var tensors = SafeTensors.Load(Path.Combine(folder, TensorFileName));
        if (tensors.Count != 1 || !tensors.TryGetValue(TensorKey, out var states))
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            throw new CheckpointException($"{folder}/{TensorFileName} must hold exactly one tensor named '{TensorKey}'");
        }

        try
        {
            var moved = states.to_type(ScalarType.Float32).to(device ?? CPU);
            if (!ReferenceEquals(moved, states))
            {
                states.Dispose();
            }

            return new NegativeEmbedding(moved, card);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"{folder}: {e.Message}", e);
        }
    }

    /// <summary>Writes the embedding to <c>root/name</c>: tensor, card, then the manifest.</summary>
    public void Save(string root)
    {
        ValidateName(Name);
        var folder = Path.Combine(root, Name);
        Directory.CreateDirectory(folder);
        using var cpu = States.detach().cpu().to_type(ScalarType.Float32).contiguous();
        SafeTensors.Save(Path.Combine(folder, TensorFileName), new Dictionary<string, Tensor> { [TensorKey] = cpu }, new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.WriteAllText(Path.Combine(folder, CardFileName), JsonSerializer.Serialize(Card, Json) + "\n");
        Sha256Manifest.Write(folder, [TensorFileName, CardFileName]);
    }

    /// <summary>Checks the embedding fits a text encoder with context length <paramref name="tokens"/> and width
    /// <paramref name="width"/> and, when both are known, that it was trained for that very text encoder.</summary>
    /// <param name="tokens">The encoder's context length.</param>
    /// <param name="width">The encoder's width.</param>
    /// <param name="textEncoderSha256">The SHA-256 of the encoder's weights, or null when unknown.</param>
    /// <exception cref="ArgumentException">The shapes or the encoders differ; the message gives both.</exception>
    public void EnsureFits(long tokens, long width, string? textEncoderSha256 = null)
    {
        if (States.shape[0] != tokens || States.shape[1] != width)
        {
            throw new ArgumentException(
                $"negative embedding '{Name}' is ({States.shape[0]}, {States.shape[1]}) but this model's text encoder gives ({tokens}, {width}) token states; it was trained for another text encoder");
        }

        // same shape, other weights: the states would mean nothing to this encoder's UNet, so say so instead of drawing noise
        if (textEncoderSha256 is not null && Card.TextEncoderSha256 is { } trainedFor && !string.Equals(trainedFor, textEncoderSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"negative embedding '{Name}' was trained for the text encoder {Prefix(trainedFor)}… but this model's is {Prefix(textEncoderSha256)}…; "
                + $"train it again for this model with `mediastudio train negative-embedding --name {Name}`");
        }
    }

    /// <summary>Disposes the tensor.</summary>
    public void Dispose() => States.Dispose();

    /// <summary>The first 12 characters of a hash, or all of a shorter one (a card is not trusted to hold a full hash).</summary>
    private static string Prefix(string hash) => hash[..Math.Min(12, hash.Length)];
}
