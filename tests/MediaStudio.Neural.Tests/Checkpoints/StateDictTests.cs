using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Checkpoints;

[Collection(NativeTestGroup.Name)]
public sealed class StateDictTests
{
    private static nn.Module<Tensor, Tensor> Model(long hidden = 4) => nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, 2));

    private static Dictionary<string, Tensor> SavedAndReloaded(nn.Module model, TempFolder folder)
    {
        var path = folder.File("m.safetensors");
        SafeTensors.Save(path, model.state_dict());
        return SafeTensors.Load(path);
    }

    [Fact]
    public void LoadStrict_FromSavedFile_ReproducesOutputs()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        manual_seed(31);
        using var source = Model();
        using var target = Model();
        var x = randn(5, 3);

        StateDict.LoadStrict(target, SavedAndReloaded(source, folder));

        Assert.True(source.forward(x).eq(target.forward(x)).all().item<bool>());
    }

    [Fact]
    public void LoadStrict_MissingKey_NamesItAndCopiesNothing()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = Model();
        using var target = Model();
        var tensors = SavedAndReloaded(source, folder);
        tensors.Remove("2.bias");
        var before = target.state_dict()["0.weight"].clone();

        var error = Assert.Throws<CheckpointException>(() => StateDict.LoadStrict(target, tensors, "m.safetensors"));

        Assert.Contains("missing key '2.bias'", error.Message, StringComparison.Ordinal);
        Assert.Equal("2.bias", error.Key);
        Assert.True(before.eq(target.state_dict()["0.weight"]).all().item<bool>());
    }

    [Fact]
    public void LoadStrict_UnexpectedKey_NamesIt()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = Model();
        using var target = Model();
        var tensors = SavedAndReloaded(source, folder);
        tensors["3.weight"] = ones(2, 2);

        var error = Assert.Throws<CheckpointException>(() => StateDict.LoadStrict(target, tensors, "m.safetensors"));

        Assert.Contains("unexpected key '3.weight' (in m.safetensors, not in the model)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadStrict_ShapeMismatch_NamesKeyAndBothShapes()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = Model(hidden: 5);
        using var target = Model(hidden: 4);

        var error = Assert.Throws<CheckpointException>(() => StateDict.LoadStrict(target, SavedAndReloaded(source, folder), "m.safetensors"));

        Assert.Contains("shape mismatch for '0.weight': m.safetensors has [5, 3], the model expects [4, 3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadStrict_DtypeMismatch_NamesKeyAndBothDtypes()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = Model();
        using var target = Model();
        var tensors = SavedAndReloaded(source, folder);
        tensors["0.bias"] = tensors["0.bias"].to(ScalarType.Float16);

        var error = Assert.Throws<CheckpointException>(() => StateDict.LoadStrict(target, tensors, "m.safetensors"));

        Assert.Contains("dtype mismatch for '0.bias': m.safetensors has Float16, the model expects Float32", error.Message, StringComparison.Ordinal);
    }
}
