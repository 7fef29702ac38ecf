using MediaStudio.Neural.Training;

namespace MediaStudio.Neural.Tests.Training;

public sealed class WarmupCosineScheduleTests
{
    private static readonly WarmupCosineSchedule Schedule = new(1e-3, 1e-4, 10, 110);

    [Theory]
    [InlineData(0, 1e-3 / 11)]
    [InlineData(9, 1e-3 * 10 / 11)]
    [InlineData(10, 1e-3)]
    [InlineData(60, 5.5e-4)]   // halfway: 1e-4 + 9e-4 * (1 + cos(pi / 2)) / 2
    [InlineData(110, 1e-4)]
    [InlineData(500, 1e-4)]
    public void At_Step_MatchesHandComputedValue(long step, double expected)
    {
        Assert.Equal(expected, Schedule.At(step), 12);
    }

    [Fact]
    public void At_AfterWarmup_NeverIncreases()
    {
        for (var step = 10; step < 120; step++)
        {
            Assert.True(Schedule.At(step + 1) <= Schedule.At(step));
        }
    }
}
