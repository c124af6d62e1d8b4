using System.Numerics;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;
using Overparam.Training;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Overparam.Experiments;

/// <summary>
/// The quantities the proof tracks, measured during training (docs/mathematics.md §10), every <c>every</c> steps and at the
/// first and last step. Column names (metrics.csv):
/// bound = (1 − ηλ₀/2)^k L(0); lambda_min_gh, lambda_min_g = λ_min(G^(H)(k)), λ_min(G(k)) and their ratios to λ₀;
/// gh_drift, g_drift = ‖G^(H)(k) − G^(H)(0)‖₂, ‖G(k) − G(0)‖₂ with _rel versions divided by ‖·(0)‖₂;
/// dW{h}_fro = ‖W^(h)(k) − W^(h)(0)‖_F and dW{h}_avg = the same / sqrt(m) (eq. 6); da = ‖a(k) − a(0)‖;
/// loss_linear = ½‖(I − ηG(0))^k (u(0) − y)‖² (finite-width linearized dynamics) and loss_theta = the same with the
/// infinite-width Θ of the trained layers; for depth-1 networks (the ICLR companion, docs/mathematics.md §8) pattern_change = the fraction of
/// (i, r) with sign(w_r(k)ᵀx_i) ≠ sign(w_r(0)ᵀx_i), and max_dw_r = max_r ‖w_r(k) − w_r(0)‖.
/// G(k) is the NTK of the trained parameters.
/// </summary>
public sealed class Probes<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int every;
    private readonly NetworkConfig config;
    private readonly IReadOnlyList<bool> trained;
    private readonly double eta, lambda0;
    private readonly Dataset data;
    private readonly Matrix<double>? theta;
    private T[][] initial = [];
    private Matrix<double>? gh0, g0;
    private double gh0Norm, g0Norm, loss0;
    private double[] eLinear = [], eTheta = [], scratch = [];
    private int linearStep;

    public IReadOnlyList<string> Columns { get; }
    public Dictionary<string, double> Final { get; } = new();

    public Probes(int every, NetworkConfig config, IReadOnlyList<bool> trained, double eta, Dataset data, TheoryQuantities theory)
    {
        this.every = every; this.config = config; this.trained = trained; this.eta = eta; this.data = data;
        lambda0 = theory.Lambda0;
        theta = theory.TrainedTheta(trained);
        var cols = new List<string> { MetricColumns.Bound, MetricColumns.LambdaMinGh, MetricColumns.LambdaMinGhRatio, MetricColumns.LambdaMinG, MetricColumns.LambdaMinGRatio,
            MetricColumns.GhDrift, MetricColumns.GhDriftRel, MetricColumns.GDrift, MetricColumns.GDriftRel };
        for (int h = 1; h <= config.Depth; h++) { cols.Add(MetricColumns.WeightFro(h)); cols.Add(MetricColumns.WeightAvg(h)); }
        cols.Add(MetricColumns.Da);
        cols.Add(MetricColumns.LossLinear);
        if (theta is not null) cols.Add(MetricColumns.LossTheta);
        if (TwoLayer) { cols.Add(MetricColumns.PatternChange); cols.Add(MetricColumns.MaxDwR); }
        Columns = cols;
    }

    private bool TwoLayer => config.Depth == 1 && config.Architecture.DenseFirstLayer;

    public bool Due(int step, bool isLast) => step % every == 0 || isLast;

    /// <summary>
    /// The kernel predictions loss_linear and loss_theta at a step between probes: they cost one n × n product each, so
    /// metrics.csv has them at every step (a fast first drop is drawn as it happens, not between two probes).
    /// </summary>
    public void Predict(int step, Dictionary<string, double> row)
    {
        AdvanceLinear(step);
        row[MetricColumns.LossLinear] = 0.5 * TP.SumOfSquares<double>(eLinear);
        if (theta is not null) row[MetricColumns.LossTheta] = 0.5 * TP.SumOfSquares<double>(eTheta);
    }

    /// <summary>Measures everything at a step when <see cref="Due"/> (step 0 first: it records θ(0), G(0) and u(0) − y).</summary>
    public void Measure(in StepState<T> s, Dictionary<string, double> row)
    {
        var net = (INetwork<T>)s.Model;
        int n = data.Count;
        if (s.Step == 0)
        {
            initial = net.Parameters.Select(p => (T[])p.Value.Clone()).ToArray();
            loss0 = s.Loss;
            eLinear = new double[n];
            for (int i = 0; i < n; i++) eLinear[i] = double.CreateTruncating(s.Outputs[i]) - data.Y[i];
            eTheta = (double[])eLinear.Clone();
            scratch = new double[n];
        }
        var grams = net.GramMatrices();
        var gh = grams[config.Depth - 1];
        var g = StepSize.TrainedNtk(grams, trained);
        if (s.Step == 0)
        {
            gh0 = gh; g0 = g;
            gh0Norm = LinearAlgebra.SymmetricEigenvalues(gh)[^1];
            g0Norm = LinearAlgebra.SymmetricEigenvalues(g)[^1];
        }

        row[MetricColumns.Bound] = Math.Pow(1 - eta * lambda0 / 2, s.Step) * loss0;  // Theorems 5.1, 6.1, 7.1
        double lgh = LinearAlgebra.SmallestEigenvalue(gh), lg = LinearAlgebra.SmallestEigenvalue(g);
        row[MetricColumns.LambdaMinGh] = lgh; row[MetricColumns.LambdaMinGhRatio] = lgh / lambda0;
        row[MetricColumns.LambdaMinG] = lg; row[MetricColumns.LambdaMinGRatio] = lg / lambda0;
        double dgh = LinearAlgebra.SpectralDistance(gh, gh0!), dg = LinearAlgebra.SpectralDistance(g, g0!);
        row[MetricColumns.GhDrift] = dgh; row[MetricColumns.GhDriftRel] = dgh / gh0Norm;
        row[MetricColumns.GDrift] = dg; row[MetricColumns.GDriftRel] = dg / g0Norm;
        var ps = net.Parameters;
        for (int h = 1; h <= config.Depth; h++)
        {
            double fro = Distance(ps[h - 1].Value, initial[h - 1]);
            row[MetricColumns.WeightFro(h)] = fro;
            row[MetricColumns.WeightAvg(h)] = fro / Math.Sqrt(config.Width);  // eq. (6)
        }
        row[MetricColumns.Da] = Distance(ps[config.Depth].Value, initial[config.Depth]);
        Predict(s.Step, row);
        if (TwoLayer) TwoLayerProbes(ps[0].Value, initial[0], row);
        foreach (var column in Columns) if (row.TryGetValue(column, out var v)) Final[column] = v;
    }

    // e(k+1) = (I − ηG(0)) e(k), advanced from the last measured step to this one.
    private void AdvanceLinear(int step)
    {
        for (; linearStep < step; linearStep++)
        {
            Apply(g0!, eLinear, scratch);
            if (theta is not null) Apply(theta, eTheta, scratch);
        }
    }

    private void Apply(Matrix<double> kernel, double[] e, double[] tmp)
    {
        LinearAlgebra.Gemm(false, false, e.Length, 1, e.Length, 1.0, kernel.Data, e.Length, e, 1, 0.0, tmp, 1);
        TP.MultiplyAdd<double>(tmp, -eta, e, e);
    }

    private void TwoLayerProbes(T[] w, T[] w0, Dictionary<string, double> row)
    {
        int m = config.Width, d = data.Features, n = data.Count;
        var wd = w.Select(double.CreateTruncating).ToArray();
        var w0d = w0.Select(double.CreateTruncating).ToArray();
        var z = LinearAlgebra.Multiply(data.X, false, new Matrix<double>(m, d, wd), true);
        var z0 = LinearAlgebra.Multiply(data.X, false, new Matrix<double>(m, d, w0d), true);
        long changed = 0;
        for (int k = 0; k < z.Data.Length; k++) if (z.Data[k] >= 0 != z0.Data[k] >= 0) changed++;
        row[MetricColumns.PatternChange] = (double)changed / ((double)m * n);  // ICLR Fig. 1b
        double max = 0;
        for (int r = 0; r < m; r++)
        {
            double s = 0;
            for (int c = 0; c < d; c++) { double diff = wd[r * d + c] - w0d[r * d + c]; s += diff * diff; }
            max = Math.Max(max, Math.Sqrt(s));
        }
        row[MetricColumns.MaxDwR] = max;  // ICLR Fig. 1c
    }

    private static double Distance(T[] a, T[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) { double d = double.CreateTruncating(a[i] - b[i]); s += d * d; }
        return Math.Sqrt(s);
    }
}
