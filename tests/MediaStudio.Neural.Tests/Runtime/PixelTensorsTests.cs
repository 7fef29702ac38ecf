using MediaStudio.Neural.Runtime;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Runtime;

[Collection(NativeTestGroup.Name)]
public sealed class PixelTensorsTests
{
    [Fact]
    public void ToUnitRange_Bytes_MapsZeroToMinusOneAndFullToOne()
    {
        using var scope = NewDisposeScope();
        using var bytes = tensor(new byte[] { 0, 51, 255 });

        var unit = PixelTensors.ToUnitRange(bytes);

        Assert.Equal(ScalarType.Float32, unit.dtype);
        Assert.Equal([-1f, -0.6f, 1f], unit.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void ToUnitRange_FloatInput_LeavesTheInputUnchanged()
    {
        using var scope = NewDisposeScope();
        float[] values = [0f, 255f];
        using var floats = tensor(values);

        using var unit = PixelTensors.ToUnitRange(floats);

        Assert.Equal(values, floats.data<float>().ToArray());
        Assert.Equal([-1f, 1f], unit.data<float>().ToArray());
    }
}
