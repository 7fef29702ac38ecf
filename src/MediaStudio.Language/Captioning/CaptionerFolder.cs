using MediaStudio.Language.Tokenization;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Language.Captioning;

/// <summary>Saves and loads a captioner model folder: config.json, model.safetensors, vocab.json, merges.txt, CARD.md, SHA256SUMS.</summary>
/// <remarks>The tokenizer files travel with the weights and are hashed with them, so a folder is self-contained.</remarks>
public static class CaptionerFolder
{
    /// <summary>Writes the folder; the tokenizer files are copied from <paramref name="tokenizerFolder"/>.</summary>
    public static void Save(string folder, CaptionerModel model, string tokenizerFolder, string? card = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelFolder.Save(folder, model, model.Config, card);
        foreach (var name in new[] { BpeTrainer.VocabFileName, BpeTrainer.MergesFileName })
        {
            var target = Path.Combine(folder, name);
            if (Path.GetFullPath(Path.Combine(tokenizerFolder, name)) != Path.GetFullPath(target))
            {
                File.Copy(Path.Combine(tokenizerFolder, name), target, overwrite: true);
            }
        }

        Sha256Manifest.Write(folder, [ModelFolder.ConfigFileName, ModelFolder.WeightsFileName, BpeTrainer.VocabFileName, BpeTrainer.MergesFileName]);
    }

    /// <summary>Loads the model (strictly, after the hashes) and its tokenizer.</summary>
    /// <exception cref="CheckpointException">A file is missing, altered or does not fit the config.</exception>
    public static (CaptionerModel Model, CaptionTokenizer Tokenizer) Load(string folder, Device? device = null)
    {
        Sha256Manifest.Verify(folder, BpeTrainer.VocabFileName);
        Sha256Manifest.Verify(folder, BpeTrainer.MergesFileName);
        var tokenizer = CaptionTokenizer.Load(folder);
        var model = ModelFolder.FromPretrained<CaptionerModel, CaptionerConfig>(folder, c => new CaptionerModel(c), device);
        if (model.Config.Text.VocabSize != tokenizer.VocabSize)
        {
            model.Dispose();
            throw new CheckpointException($"the decoder has vocab_size {model.Config.Text.VocabSize}, the tokenizer in {folder} has {tokenizer.VocabSize} ids");
        }

        return (model, tokenizer);
    }
}
