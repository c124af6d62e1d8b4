using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.Training;

namespace Overparam.Tests.Training;

public sealed class TrainingStatusTextTests
{
    [Theory]
    [InlineData(TrainingStatus.Running, "running")]
    [InlineData(TrainingStatus.Converged, "converged")]
    [InlineData(TrainingStatus.BudgetExhausted, "budget_exhausted")]
    [InlineData(TrainingStatus.Diverged, "diverged")]
    [InlineData(TrainingStatus.Stopped, "stopped")]
    [InlineData(TrainingStatus.Failed, "failed")]
    public void NameAndTryParseRoundTrip(TrainingStatus status, string name)
    {
        Assert.Equal(name, TrainingStatusText.Name(status));
        Assert.Equal(status, TrainingStatusText.TryParse(name));
    }

    [Theory]
    [InlineData("Converged")]
    [InlineData("budget-exhausted")]
    [InlineData("")]
    [InlineData(null)]
    public void OtherTextIsNotAStatus(string? text) => Assert.Null(TrainingStatusText.TryParse(text));

    [Fact]
    public void WorkerProtocolWritesTheStatusNameAndReadsItBack()
    {
        var outcome = new RunOutcome(TrainingStatus.BudgetExhausted, 3, 1, 0.5, 0.25, 0.1, null, new Dictionary<string, double>(), null);
        string line = WorkerProtocol.FormatOutcome(outcome);
        Assert.StartsWith("""@outcome {"status":"budget_exhausted","steps":3,""", line);
        Assert.Equal(TrainingStatus.BudgetExhausted, WorkerProtocol.ParseOutcome(line).Status);
    }
}
