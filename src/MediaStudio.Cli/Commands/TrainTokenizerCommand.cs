using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Language.Tokenization;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Scenes;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train tokenizer</c>: learns the captioner's byte-level BPE on the world's image and clip captions.</summary>
internal static class TrainTokenizerCommand
{
    public static Command Create()
    {
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size: 256 bytes + merges + special tokens.", DefaultValueFactory = _ => 512 };
        var scenes = new Option<int>("--scenes") { Description = "Scenes whose image captions enter the corpus (4 wordings each).", DefaultValueFactory = _ => 4000 };
        var clips = new Option<int>("--clips") { Description = "Clips whose motion captions enter the corpus (4 wordings each).", DefaultValueFactory = _ => 2000 };
        var output = new Option<string>("--out") { Description = "Folder for vocab.json and merges.txt.", DefaultValueFactory = _ => "models/tokenizer" };
        var command = new Command("tokenizer", "Train the captioner's byte-level BPE on the world's caption corpus.") { vocabSize, scenes, clips, output };
        command.SetAction(parse => Run(parse.GetValue(vocabSize), parse.GetValue(scenes), parse.GetValue(clips), parse.GetValue(output)!));
        return command;
    }

    /// <summary>Yields the caption corpus: image captions (with degradations, so their words are known) and clip captions.</summary>
    public static IEnumerable<string> Corpus(int scenes, int clips)
    {
        var options = new SceneSamplerOptions { DegradationRate = 0.3 };
        for (var seed = 0; seed < scenes; seed++)
        {
            foreach (var caption in Captioner.Captions(SceneSampler.Sample(seed, options).Label, seed, 4))
            {
                yield return caption;
            }
        }

        for (var seed = 0; seed < clips; seed++)
        {
            foreach (var caption in ClipCaptioner.Captions(ClipSampler.Sample(seed), seed, 4))
            {
                yield return caption;
            }
        }
    }

    private static int Run(int vocabSize, int scenes, int clips, string output)
    {
        var clock = Stopwatch.StartNew();
        var corpus = Corpus(scenes, clips).ToList();
        var (vocab, merges) = BpeTrainer.Train(corpus, vocabSize);
        BpeTrainer.Save(output, vocab, merges);
        var tokenizer = CaptionTokenizer.Load(output);
        var tokens = corpus.Sum(c => (long)tokenizer.Encode(c).Count);
        var bytes = corpus.Sum(c => (long)Encoding.UTF8.GetByteCount(c));
        var seconds = clock.Elapsed.TotalSeconds;
        var commandLine = string.Create(CultureInfo.InvariantCulture, $"mediastudio train tokenizer --vocab-size {vocabSize} --scenes {scenes} --clips {clips}");
        var recipe = new Dictionary<string, object>
        {
            ["command"] = commandLine,
            ["vocab_size"] = tokenizer.VocabSize,
            ["merges"] = merges.Count,
            ["special_tokens"] = SpecialTokens.All,
            ["corpus_captions"] = corpus.Count,
            ["corpus_bytes"] = bytes,
            ["corpus_tokens"] = tokens,
            ["training_seconds"] = Math.Round(seconds, 2),
        };
        AtomicFile.WriteAllText(Path.Combine(output, "recipe.json"), JsonSerializer.Serialize(recipe, Indented) + "\n");
        var card = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        card.Append("# tokenizer\n\nByte-level BPE (GPT-2 byte alphabet and pre-tokenisation) for the captioner, trained by `")
            .Append(commandLine).Append("` on the world's image captions (30% of scenes with degradations) and clip motion captions. ")
            .Append("Files: `vocab.json` + `merges.txt` (GPT-2 format), loaded at run time through Microsoft.ML.Tokenizers' `BpeTokenizer` (ByteLevel).\n\n");
        card.Append(inv, $"- vocabulary: {tokenizer.VocabSize} ids = 256 bytes + {merges.Count} merges + {SpecialTokens.All.Count} special tokens ({string.Join(", ", SpecialTokens.All.Select(t => $"`{t}`"))})\n");
        card.Append(inv, $"- corpus: {corpus.Count:N0} captions, {bytes:N0} bytes, {tokens:N0} tokens ({bytes / (double)tokens:F2} bytes per token)\n");
        card.Append(inv, $"- training time: {seconds:F1} s\n");
        AtomicFile.WriteAllText(Path.Combine(output, "CARD.md"), card.ToString());
        Sha256Manifest.Write(output, [BpeTrainer.VocabFileName, BpeTrainer.MergesFileName]);
        AnsiConsole.MarkupLine(inv, $"wrote {Markup.Escape(output)}: {tokenizer.VocabSize} ids, {merges.Count} merges, {bytes / (double)tokens:F2} bytes/token on {corpus.Count:N0} captions in {seconds:F1} s");
        return 0;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
