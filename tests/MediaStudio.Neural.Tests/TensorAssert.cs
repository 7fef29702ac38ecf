using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests;

/// <summary>Small assertions over tensors and module parameters shared by the neural tests.</summary>
internal static class TensorAssert
{
    public static void Finite(Tensor t, string what)
    {
        Assert.True(t.isfinite().all().item<bool>(), $"{what} has NaN or Inf");
    }

    public static void Shape(Tensor t, params long[] expected)
    {
        Assert.Equal(expected, t.shape);
    }

    /// <summary>Asserts every parameter is finite and |w| &lt;= 1e3, the check that caught TorchSharp's uninitialised GroupNorm.</summary>
    public static void SaneParameters(nn.Module module)
    {
        foreach (var (name, p) in module.named_parameters())
        {
            Assert.True(p.isfinite().all().item<bool>(), $"parameter {name} has NaN or Inf");
            Assert.True(p.abs().max().item<float>() <= 1e3f, $"parameter {name} has |w| > 1e3");
        }
    }

    /// <summary>Asserts every parameter received a finite gradient that is not identically zero.</summary>
    /// <param name="module">Module after backward.</param>
    /// <param name="mayBeZero">Parameters whose gradient is legitimately zero (still required to exist and be finite).</param>
    public static void GradientsFlow(nn.Module module, Func<string, bool>? mayBeZero = null)
    {
        foreach (var (name, p) in module.named_parameters())
        {
            var grad = p.grad;
            Assert.True(grad is not null, $"parameter {name} got no gradient");
            Assert.True(grad!.isfinite().all().item<bool>(), $"gradient of {name} has NaN or Inf");
            Assert.True(mayBeZero?.Invoke(name) == true || grad.abs().max().item<float>() > 0, $"gradient of {name} is identically zero");
        }
    }

    /// <summary>Fills the allocator with huge values so an uninitialised parameter would show up.</summary>
    public static void DirtyMemory()
    {
        for (var i = 0; i < 4; i++)
        {
            using var junk = full(1 << 20, 1e28f);
            junk.add_(1);
        }
    }

    public static Parameter[] Parameters(nn.Module module) => module.parameters().ToArray();
}
