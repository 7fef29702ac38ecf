using System.CommandLine;
using MediaStudio.Cli.Commands;

namespace MediaStudio.Cli.Tests.Commands;

public sealed class CliAppTests
{
    [Fact]
    public void Help_RootCommand_ListsServe()
    {
        using var output = new StringWriter();

        var exitCode = CliApp.Build().Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exitCode);
        Assert.Contains("serve", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("MediaStudio", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ServeWithUrlsAndData_BindsBothOptions()
    {
        var result = CliApp.Build().Parse(["serve", "--urls", "http://127.0.0.1:5123", "--data", "/tmp/x"]);

        Assert.Empty(result.Errors);
        Assert.Equal("serve", result.CommandResult.Command.Name);
        Assert.Equal("http://127.0.0.1:5123", result.GetValue<string>("--urls"));
        Assert.Equal("/tmp/x", result.GetValue<string?>("--data"));
    }

    [Theory]
    [InlineData("--top-level-attention")]
    [InlineData("--text-time-embedding")]
    public void Parse_TrainUNetWithArchitectureFlag_BindsTheFlag(string flag)
    {
        var result = CliApp.Build().Parse(["train", "unet", "--steps", "10", flag]);

        Assert.Empty(result.Errors);
        Assert.True(result.GetValue<bool>(flag));
        Assert.False(CliApp.Build().Parse(["train", "unet"]).GetValue<bool>(flag));
    }

    [Fact]
    public void Parse_TrainAutoencoderShape_BindsLatentChannelsAndWidths()
    {
        var result = CliApp.Build().Parse(["train", "autoencoder", "--latent-channels", "8", "--widths", "32,64,64"]);
        var defaults = CliApp.Build().Parse(["train", "autoencoder"]);

        Assert.Empty(result.Errors);
        Assert.Equal(8, result.GetValue<int>("--latent-channels"));
        Assert.Equal("32,64,64", result.GetValue<string>("--widths"));
        Assert.Equal(4, defaults.GetValue<int>("--latent-channels"));
        Assert.Equal("16,32,64", defaults.GetValue<string>("--widths"));
    }

    [Theory]
    [InlineData("train", "motion-recognizer")]
    [InlineData("train", "captioner")]
    [InlineData("eval", "motion-recognizer")]
    [InlineData("eval", "captioner")]
    public void Parse_ClipMotion_DefaultsToClearAndBindsAny(string verb, string model)
    {
        var defaults = CliApp.Build().Parse([verb, model]);
        var any = CliApp.Build().Parse([verb, model, "--motion", "any"]);

        Assert.Empty(any.Errors);
        Assert.Equal(Synthetic.Clips.ClipMotion.Clear, defaults.GetValue<Synthetic.Clips.ClipMotion>("--motion"));
        Assert.Equal(Synthetic.Clips.ClipMotion.Any, any.GetValue<Synthetic.Clips.ClipMotion>("--motion"));
        Assert.NotEmpty(CliApp.Build().Parse([verb, model, "--motion", "blurry"]).Errors);
    }

    [Fact]
    public void Parse_TrainMotionRecognizerLayout_DefaultsToSiameseAndRefusesOthers()
    {
        Assert.Equal("siamese", CliApp.Build().Parse(["train", "motion-recognizer"]).GetValue<string>("--layout"));
        Assert.Equal("stacked", CliApp.Build().Parse(["train", "motion-recognizer", "--layout", "stacked"]).GetValue<string>("--layout"));
        Assert.NotEmpty(CliApp.Build().Parse(["train", "motion-recognizer", "--layout", "3d"]).Errors);
    }

    [Fact]
    public void Parse_TrainMotionRecognizerFramesAndPoseWeight_DefaultToTheEarlierRecipe()
    {
        var plain = CliApp.Build().Parse(["train", "motion-recognizer"]);
        var bundled = CliApp.Build().Parse(["train", "motion-recognizer", "--frames", "6", "--pose-weight", "1"]);

        Assert.Equal((4, 0.0), (plain.GetValue<int>("--frames"), plain.GetValue<double>("--pose-weight")));
        Assert.Equal((6, 1.0), (bundled.GetValue<int>("--frames"), bundled.GetValue<double>("--pose-weight")));
        Assert.Empty(bundled.Errors);
    }

    [Fact]
    public void Parse_UnknownCommand_ReportsAnError()
    {
        var result = CliApp.Build().Parse(["paint"]);

        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void LastPerStep_ResumedRunMeasuredAStepTwice_KeepsOneLinePerStepInOrder()
    {
        string[] gaps = ["500: 4.7 %", "1000: 3.8 %", "1000: 3.9 %", "1500: 5.9 %"];

        var kept = TrainUNetCommand.LastPerStep(gaps);

        Assert.Equal(["500: 4.7 %", "1000: 3.9 %", "1500: 5.9 %"], kept);
    }
}
