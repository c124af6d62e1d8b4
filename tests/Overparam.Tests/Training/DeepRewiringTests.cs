using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>Deep R and soft Deep R (docs/mathematics.md §16.6) against steps worked out by hand from the authors' deeprewire.py.</summary>
public class DeepRewiringTests
{
    // w0 = [0.5, −0.2, 0, 0.01], g1 = [0.2, −0.4, 0.7, 0.3], g2 = [−0.1, 0.3, 0.5, −3], lr 0.01, λ = 0.01, T = 0 (no noise).
    private static ScriptedModel<double> Tiny() =>
        new([("W1", [0.5, -0.2, 0.0, 0.01])], [[[0.2, -0.4, 0.7, 0.3]], [[-0.1, 0.3, 0.5, -3.0]]]);

    private static DeepRewiring<double> Make(double maxSparsity, bool soft, double temperature = 0) =>
        new(new OptimizerSettings(0.01) { L1 = 0.01, MaxSparsity = maxSparsity, Temperature = temperature, NoiseSeed = 5 }, soft);

    private static void Step(IOptimizer<double> o, ScriptedModel<double> m, int k) => o.Step(new OptimizerStep<double> { Step = k, Model = m, OutputGradient = [] });

    [Fact]
    public void DeepR_OneStep_SignFlipsBecomeDormant()
    {
        // step 1: Adam moves 0.01·sign(g)·(1 − 5e-8) as in Grad R's test, L1 takes λ·step·s = 0.001 (step = 0.1):
        // w1 = 0.5 − 0.0099999995 − 0.001 = 0.4890000005; w2 = −0.2 + 0.00999999975 + 0.001 = −0.18900000025;
        // w3 = 0 is dormant (a = 0) and stays 0; w4 = 0.01 − 0.00999999967 − 0.001 < 0 would flip: dormant, 0.
        // Dormant fraction 2/4 = 0.5 ≤ s_max = 0.5: no reactivation.
        var model = Tiny();
        var o = Make(0.5, soft: false);
        Step(o, model, 0);
        Assert.Equal([0.4890000005, -0.18900000025, 0, 0], model.Value(0).Select(v => Math.Round(v, 15)));
        Assert.Equal((1L, 0L), o.Events(0));
    }

    [Fact]
    public void DeepR_AboveMaxSparsity_ReactivatesToEpsilon_WhichTheNextStepZeroes()
    {
        // s_max = 0: every dormant synapse is reactivated with probability (0.5 − 0)/0.5 = 1, to ε = 1e-8 (the code's
        // masked_fill_(mask, eps)); its mask stays dormant, so the next update multiplies it by 0 again (2 more cuts),
        // and the reactivation sets it to ε once more (2 more regrowths).
        var model = Tiny();
        var o = Make(0, soft: false);
        Step(o, model, 0);
        Assert.Equal(1e-8, model.Value(0)[2]);
        Assert.Equal(1e-8, model.Value(0)[3]);
        Assert.Equal((1L, 2L), o.Events(0));
        Step(o, model, 1);
        Assert.Equal(1e-8, model.Value(0)[2]);
        Assert.Equal(1e-8, model.Value(0)[3]);
        Assert.Equal((3L, 4L), o.Events(0));
    }

    [Fact]
    public void SoftDeepR_OneStep_KeepsTheStrengthAboveItsFloor()
    {
        // T = 0: θ_min = −(½·0·s_max)/(λ(1 − s_max)) = 0, so θ4 = max(−0.000999999667, 0) = 0; the others as in Deep R.
        var model = Tiny();
        var o = Make(0.95, soft: true);
        Assert.Equal(0, o.StrengthFloor!.Value);
        Step(o, model, 0);
        Assert.Equal([0.4890000005, -0.18900000025, 0, 0], model.Value(0).Select(v => Math.Round(v, 15)));
        // T = 0.1, s_max = 0.9, λ = 0.01: θ_min = −(0.5·0.01·0.9)/(0.01·0.1) = −4.5.
        Assert.Equal(-4.5, Make(0.9, soft: true, temperature: 0.1).StrengthFloor!.Value, 12);
    }

    [Fact]
    public void Noise_IsSeeded_AndRestoredWithTheState()
    {
        var a = Tiny(); var oa = Make(0.5, soft: true, temperature: 0.05);
        Step(oa, a, 0);
        var saved = oa.SaveState().ToDictionary(t => t.Name);
        Step(oa, a, 1);
        var b = Tiny(); var ob = Make(0.5, soft: true, temperature: 0.05);
        Step(ob, b, 0);
        var c = Make(0.5, soft: true, temperature: 0.05);
        c.RestoreState(saved);
        Step(c, b, 1);
        Assert.Equal(a.Value(0), b.Value(0));
        Assert.NotEqual(0.4890000005, a.Value(0)[0], 6);
    }
}
