using System.Text.Json;
using MediaStudio.Diffusion.Schedulers;

namespace MediaStudio.Diffusion.Tests.Schedulers;

public sealed class NoiseScheduleConfigTests
{
    [Fact]
    public void Serialize_Defaults_UsesSnakeCaseKeys()
    {
        var json = JsonSerializer.Serialize(new NoiseScheduleConfig());

        foreach (var key in new[] { "num_train_timesteps", "beta_schedule", "beta_start", "beta_end", "prediction_type", "timestep_spacing", "steps_offset" })
        {
            Assert.Contains($"\"{key}\"", json, StringComparison.Ordinal);
        }

        Assert.Equal(new NoiseScheduleConfig(), JsonSerializer.Deserialize<NoiseScheduleConfig>(json));
    }

    [Fact]
    public void Validate_Presets_Pass()
    {
        new NoiseScheduleConfig().Validate();
        NoiseScheduleConfig.StableDiffusion.Validate();
        NoiseScheduleConfig.CosineVPrediction.Validate();
        (new NoiseScheduleConfig() with { BetaSchedule = "cosine" }).Validate();
    }

    [Theory]
    [InlineData("beta_schedule")]
    [InlineData("prediction_type")]
    [InlineData("timestep_spacing")]
    [InlineData("beta_start")]
    [InlineData("num_train_timesteps")]
    public void Validate_BadValue_NamesIt(string key)
    {
        var config = key switch
        {
            "beta_schedule" => new NoiseScheduleConfig { BetaSchedule = "sigmoid" },
            "prediction_type" => new NoiseScheduleConfig { PredictionType = "sample" },
            "timestep_spacing" => new NoiseScheduleConfig { TimestepSpacing = "linspace" },
            "beta_start" => new NoiseScheduleConfig { BetaStart = -0.1 },
            _ => new NoiseScheduleConfig { NumTrainTimesteps = 1 },
        };

        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
