using System.Diagnostics;
using MediaStudio.Neural.Runtime;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Timing of a UNet training step (forward, MSE backward, AdamW step) on random data, for sizing recipes and `bench` commands.</summary>
public static class UNetBenchmark
{
    /// <summary>Measures the mean seconds per training step.</summary>
    /// <param name="config">Model config; the sample side is its <c>sample_size</c>.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="tokens">Context tokens T.</param>
    /// <param name="steps">Timed steps (after <paramref name="warmup"/> untimed ones).</param>
    /// <param name="warmup">Untimed steps first.</param>
    /// <param name="threads">libtorch intra-op threads.</param>
    /// <returns>Wall and CPU seconds per step and the parameter count.</returns>
    public static UNetBenchmarkResult TrainingStep(UNetConfig config, int batch = 32, int tokens = 48, int steps = 5, int warmup = 2, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        TorchRuntime.SetThreads(threads);
        var generator = new Generator(1);
        using var model = new UNet2DConditionModel(config);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4);
        using var sample = randn([batch, config.InChannels, config.SampleSize, config.SampleSize], generator: generator); // (B, C, h, w)
        using var target = randn([batch, config.OutChannels, config.SampleSize, config.SampleSize], generator: generator);
        using var timesteps = randint(0, 1000, [batch], generator: generator);                                          // (B)
        using var context = randn([batch, tokens, config.CrossAttentionDim], generator: generator);                     // (B, T, Dc)
        var clock = new Stopwatch();
        var cpuStart = TimeSpan.Zero;
        for (var i = 0; i < warmup + steps; i++)
        {
            if (i == warmup)
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Start();
            }

            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(sample, timesteps, context), target);
            loss.backward();
            optimizer.step();
        }

        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        return new UNetBenchmarkResult(clock.Elapsed.TotalSeconds / steps, cpu.TotalSeconds / steps, model.parameters().Sum(p => p.numel()));
    }

    /// <summary>Measures the mean seconds per no-grad forward pass (sampling cost per model call).</summary>
    public static double ForwardSeconds(UNetConfig config, int batch = 32, int tokens = 48, int steps = 5, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        TorchRuntime.SetThreads(threads);
        var generator = new Generator(1);
        using var model = new UNet2DConditionModel(config);
        model.eval();
        using var guard = no_grad();
        using var sample = randn([batch, config.InChannels, config.SampleSize, config.SampleSize], generator: generator);
        using var timesteps = randint(0, 1000, [batch], generator: generator);
        using var context = randn([batch, tokens, config.CrossAttentionDim], generator: generator);
        var clock = new Stopwatch();
        for (var i = 0; i <= steps; i++)
        {
            if (i == 1)
            {
                clock.Start();
            }

            using var scope = NewDisposeScope();
            model.forward(sample, timesteps, context);
        }

        return clock.Elapsed.TotalSeconds / steps;
    }
}

/// <summary>One benchmark figure.</summary>
/// <param name="SecondsPerStep">Mean wall seconds per step.</param>
/// <param name="CpuSecondsPerStep">Mean process CPU seconds per step: with one thread, the wall time on an idle core (robust when other processes share the machine).</param>
/// <param name="Parameters">Parameter count of the model.</param>
public sealed record UNetBenchmarkResult(double SecondsPerStep, double CpuSecondsPerStep, long Parameters);
