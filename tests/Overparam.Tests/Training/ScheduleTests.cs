using Overparam.Training.Schedules;

namespace Overparam.Tests.Training;

/// <summary>Learning-rate schedules at a few epochs, against values worked out by hand.</summary>
public class ScheduleTests
{
    [Fact]
    public void Constant_IsTheBaseRate()
    {
        var schedule = LearningRateSchedules.Create("constant", epochs: 10);
        Assert.Equal(0.1, schedule.At(0.1, 0));
        Assert.Equal(0.1, schedule.At(0.1, 1000));
    }

    [Fact]
    public void Step_MultipliesByGammaAtEachMilestonePassed()
    {
        // milestones 150, 225, γ = 0.1 (the CIFAR ResNet recipe): 0.1 for epochs 0–149, 0.01 for 150–224, 0.001 from 225
        var schedule = LearningRateSchedules.Create("step", epochs: 300, milestones: [150, 225], gamma: 0.1);
        (int Epoch, double Rate)[] expected = [(0, 0.1), (149, 0.1), (150, 0.01), (224, 0.01), (225, 0.001), (299, 0.001)];
        foreach (var (epoch, rate) in expected) Assert.Equal(rate, schedule.At(0.1, epoch), 1e-17);
        Assert.Equal(0.5 * 0.5 * 2, LearningRateSchedules.Create("STEP", 10, [3, 5], 0.5).At(2, 7));
    }

    [Fact]
    public void Step_DefaultGammaIsPyTorchs()
    {
        Assert.Equal(0.1, ((StepSchedule)LearningRateSchedules.Create("step", 10, [5])).Gamma);
    }

    [Fact]
    public void Cosine_AnnealsToZeroAtTheLastEpoch()
    {
        // E = 4, η = 0.1: η·½(1 + cos(πe/4)) = 0.1, 0.05(1 + √2/2), 0.05, 0.05(1 − √2/2), 0
        var schedule = LearningRateSchedules.Create("cosine", epochs: 4);
        double[] expected = [0.1, 0.05 + 0.05 * Math.Sqrt(0.5), 0.05, 0.05 - 0.05 * Math.Sqrt(0.5), 0];
        for (int e = 0; e <= 4; e++) Assert.Equal(expected[e], schedule.At(0.1, e), 1e-16);
        Assert.Equal(0.08535533905932738, schedule.At(0.1, 1), 1e-16);
    }

    [Theory]
    [InlineData("linear", 10, "", "--lr-schedule linear: expected one of constant, step, cosine")]
    [InlineData("step", 10, "", "--lr-schedule step needs --lr-milestones")]
    [InlineData("step", 10, "150,100", "--lr-milestones 150,100: must be positive epochs in increasing order")]
    [InlineData("step", 10, "0,100", "--lr-milestones 0,100")]
    [InlineData("cosine", 0, "", "--lr-schedule cosine needs --epochs ≥ 1")]
    [InlineData("constant", 10, "150", "--lr-milestones needs --lr-schedule step")]
    public void BadSchedule_ThrowsNamingTheOption(string name, int epochs, string milestones, string message)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LearningRateSchedules.Create(name, epochs, milestones == "" ? null : LearningRateSchedules.ParseMilestones(milestones)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Gamma_OnlyWithStep_AndNotNegative()
    {
        Assert.Contains("--lr-gamma needs --lr-schedule step", Assert.Throws<ArgumentException>(() => LearningRateSchedules.Create("cosine", 10, gamma: 0.5)).Message);
        Assert.Contains("--lr-gamma -0.1", Assert.Throws<ArgumentException>(() => LearningRateSchedules.Create("step", 10, [5], -0.1)).Message);
    }

    [Fact]
    public void Milestones_ParseFromCommaSeparatedEpochs()
    {
        Assert.Equal([150, 225], LearningRateSchedules.ParseMilestones("150, 225"));
        Assert.Contains("--lr-milestones 150,x", Assert.Throws<ArgumentException>(() => LearningRateSchedules.ParseMilestones("150,x")).Message);
    }
}
