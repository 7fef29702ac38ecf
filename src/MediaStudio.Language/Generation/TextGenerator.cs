using System.Diagnostics;
using MediaStudio.Language.Captioning;
using MediaStudio.Language.Llama;
using static TorchSharp.torch;

namespace MediaStudio.Language.Generation;

/// <summary>Autoregressive decoding of a Llama decoder from prompt embeddings, batched, with or without a KV cache.</summary>
/// <remarks>
/// With the cache, the prompt runs once and every later step feeds one token per row (positions continue from the
/// cache length); without it, every step re-runs the whole sequence: the reference the cached path must match token
/// for token. Rows share the prompt length (the captioner's prompts are fixed-size), so no padding mask is needed;
/// a row that has emitted a stop token keeps being fed padding until every row is done, and its later tokens are dropped.
/// </remarks>
public static class TextGenerator
{
    /// <summary>Generates up to <see cref="GenerationOptions.MaxNewTokens"/> tokens per row.</summary>
    /// <param name="lm">The decoder.</param>
    /// <param name="prompt">(B, P, D) prompt embeddings.</param>
    /// <param name="options">Decoding settings; sampling uses a generator seeded with <see cref="GenerationOptions.Seed"/>.</param>
    /// <param name="stopTokens">Ids that end a row (not included in the output).</param>
    /// <param name="padToken">Id fed to finished rows.</param>
    /// <param name="useCache">Decode incrementally with a <see cref="Neural.Caching.FullKvCache"/>.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public static GenerationResult Generate(
        LlamaForCausalLM lm, Tensor prompt, GenerationOptions options, IReadOnlyCollection<int> stopTokens, int padToken, bool useCache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stopTokens);
        options.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        lm.eval();
        var clock = Stopwatch.StartNew();
        var batch = (int)prompt.shape[0];
        using var generator = options.Temperature > 0 ? new Generator((ulong)options.Seed, prompt.device) : null;
        var outputs = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var done = new bool[batch];
        using var cache = useCache ? lm.NewCache(batch, prompt.shape[1] + options.MaxNewTokens, prompt.device) : null;

        var logits = lm.forward(prompt, cache).select(1, -1);                          // (B, V)
        var next = TokenSampler.Next(logits, options, generator);                      // (B)
        var firstToken = clock.Elapsed;
        var sequence = prompt;
        var steps = 0;
        for (var produced = 1; ; produced++)
        {
            var ids = next.data<long>().ToArray();
            for (var b = 0; b < batch; b++)
            {
                if (done[b])
                {
                    continue;
                }

                if (stopTokens.Contains((int)ids[b]))
                {
                    done[b] = true;
                }
                else
                {
                    outputs[b].Add((int)ids[b]);
                }
            }

            if (done.All(d => d) || produced >= options.MaxNewTokens)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var fed = tensor(ids.Select((id, b) => done[b] ? padToken : id).ToArray(), [batch, 1], device: prompt.device);
            var embeds = lm.Embed(fed);                                                // (B, 1, D)
            if (useCache)
            {
                logits = lm.forward(embeds, cache).select(1, -1);                      // (B, V)
            }
            else
            {
                sequence = cat([sequence, embeds], 1);                                 // (B, P+t, D)
                logits = lm.forward(sequence, null).select(1, -1);
            }

            next = TokenSampler.Next(logits, options, generator);
            steps++;
        }

        return new GenerationResult(outputs, firstToken, clock.Elapsed, steps);
    }
}
