using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Checkpoints;

[Collection(NativeTestGroup.Name)]
public sealed class ModelFolderTests
{
    private static PatClassifier SaveTiny(TempFolder folder)
    {
        var model = PatClassifier.FromConfig(PatNetConfig.Tiny, new Generator(41));
        ModelFolder.Save(folder.Path, model, PatNetConfig.Tiny);
        return model;
    }

    [Fact]
    public void FromPretrained_SavedFolder_ReproducesOutputsAndWritesEveryFile()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = SaveTiny(folder);
        model.eval();
        var x = randn(2, 3, 16, 16, generator: new Generator(42));

        using var loaded = PatClassifier.FromPretrained(folder.Path);

        Assert.True(model.forward(x).eq(loaded.forward(x)).all().item<bool>());
        Assert.Contains("\"embed_dim\": 8", File.ReadAllText(folder.File(ModelFolder.ConfigFileName)), StringComparison.Ordinal);
        Assert.Contains("PatClassifier", File.ReadAllText(folder.File(ModelFolder.CardFileName)), StringComparison.Ordinal);
        var manifest = Sha256Manifest.Read(folder.Path);
        Assert.Equal(Sha256Manifest.Hash(folder.File(ModelFolder.WeightsFileName)), manifest[ModelFolder.WeightsFileName]);
        Assert.Equal(Sha256Manifest.Hash(folder.File(ModelFolder.ConfigFileName)), manifest[ModelFolder.ConfigFileName]);
    }

    [Fact]
    public void FromPretrained_Float64_CastsParameters()
    {
        using var folder = new TempFolder();
        using var model = SaveTiny(folder);

        using var loaded = PatClassifier.FromPretrained(folder.Path, dtype: ScalarType.Float64);

        Assert.All(loaded.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
    }

    [Fact]
    public void FromPretrained_WeightsAlteredAfterSave_ReportsShaMismatch()
    {
        using var folder = new TempFolder();
        using var model = SaveTiny(folder);
        var path = folder.File(ModelFolder.WeightsFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40; // still a well-formed file: only the hash can tell
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointException>(() => PatClassifier.FromPretrained(folder.Path));

        Assert.Contains("SHA-256 mismatch for model.safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPretrained_ConfigEdited_ReportsShaMismatch()
    {
        using var folder = new TempFolder();
        using var model = SaveTiny(folder);
        var path = folder.File(ModelFolder.ConfigFileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"num_classes\": 5", "\"num_classes\": 6", StringComparison.Ordinal));

        var error = Assert.Throws<CheckpointException>(() => PatClassifier.FromPretrained(folder.Path));

        Assert.Contains("SHA-256 mismatch for config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPretrained_NoManifest_Refuses()
    {
        using var folder = new TempFolder();
        using var model = SaveTiny(folder);
        File.Delete(folder.File(Sha256Manifest.FileName));

        var error = Assert.Throws<CheckpointException>(() => PatClassifier.FromPretrained(folder.Path));

        Assert.Contains("no SHA256SUMS manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_Format_IsSha256sumCompatible()
    {
        using var folder = new TempFolder();
        using var model = SaveTiny(folder);

        var lines = File.ReadAllLines(folder.File(Sha256Manifest.FileName));

        Assert.Equal(2, lines.Length);
        Assert.Matches("^[0-9a-f]{64}  config.json$", lines[0]);
        Assert.Matches("^[0-9a-f]{64}  model.safetensors$", lines[1]);
    }
}
