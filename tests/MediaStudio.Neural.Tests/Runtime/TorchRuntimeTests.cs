using MediaStudio.Neural.Runtime;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Runtime;

[Collection(NativeTestGroup.Name)]
public sealed class TorchRuntimeTests
{
    [Fact]
    public void Probe_OnThisMachine_LoadsLibTorchAndComputes()
    {
        var description = TorchRuntime.Probe();

        Assert.StartsWith("libtorch on", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Matmul_SmallMatrices_MatchesHandComputedProduct()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var b = tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);

        var product = matmul(a, b).data<float>().ToArray();

        Assert.Equal(new float[] { 19, 22, 43, 50 }, product);
    }

    [Fact]
    public void SetThreads_ExplicitCount_IsApplied()
    {
        var before = get_num_threads();
        try
        {
            TorchRuntime.SetThreads(1);

            Assert.Equal(1, get_num_threads());
        }
        finally
        {
            set_num_threads(before);
        }
    }
}
