using Overparam.Experiments;
using Overparam.Experiments.Verify;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>The probes written to metrics.csv (issue 5): drift zero at step 0, G^(H)(0) close to K^(H) at large width.</summary>
public sealed class ProbeTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private MetricsTable Run(RunSpec spec, string name)
    {
        var dir = tmp.File(name);
        var outcome = RunExecutor.Execute(spec, dir);
        Assert.True(outcome.Status is TrainingStatus.Converged or TrainingStatus.BudgetExhausted, outcome.Status + " " + outcome.Message);
        return MetricsTable.Read(Path.Combine(dir, "metrics.csv"));
    }

    [Fact]
    public void DriftIsZeroAtStepZero()
    {
        var m = Run(new RunSpec { Depth = 2, Width = 64, N = 8, D = 4, Steps = 10, ProbeEvery = 5 }, "small");
        Assert.Equal(0.0, m["step"][0]);
        Assert.Equal(0.0, m["gh_drift"][0]);
        Assert.Equal(0.0, m["g_drift"][0]);
        Assert.Equal(0.0, m["gh_drift_rel"][0]);
        Assert.Equal(0.0, m["dW1_fro"][0]);
        Assert.Equal(0.0, m["da"][0]);
        Assert.Equal(m["loss"][0], m["loss_linear"][0], 1e-13 * m["loss"][0]);   // same residual, summed in another order
        Assert.Equal(m["loss"][0], m["bound"][0]);
        // Probed at 0, 5, 10 only; the drift is positive once training moved the weights.
        Assert.Equal([0.0, 5.0, 10.0], m.Probed("gh_drift").Steps);
        Assert.True(m.Last("gh_drift") > 0);
    }

    [Fact]
    public void AtLargeWidth_LambdaMinOfGHAtInitIsCloseToLambda0()
    {
        // m = 2048, n = 8, fc H = 2: G^(H)(0) → K^(H) as m → ∞, so λ_min(G^(H)(0))/λ₀ → 1.
        var m = Run(new RunSpec { Depth = 2, Width = 2048, N = 8, D = 8, Steps = 0, ProbeEvery = 1 }, "wide");
        double ratio = m["lambda_min_gh_ratio"][0];
        Assert.True(Math.Abs(ratio - 1) < 0.25, $"λ_min(G^(H)(0))/λ₀ = {ratio}");
        Assert.Equal(0.0, m["gh_drift"][0]);
        Assert.Equal(0.0, m["g_drift"][0]);
    }
}
