using Overparam.Numerics;

namespace Overparam.Online;

/// <summary>
/// The GEOFF target of Veeriah, Zhang &amp; Sutton, as the authors' generator (GEOFF.py, DynamicGEOFF.py; docs/mathematics.md,
/// "Crossprop"): inputs x ∈ {0, 1}^m (each bit 1 with probability ½) plus the bias entry x_m = 1; F threshold units plus
/// a bias feature, U*_ij ∈ {+1, −1} with probability ½ each, θ_j = (m + 1)·β − #{i : U*_ij = −1} with β = 0.6,
/// φ*_j = 1[Σ_i x_i U*_ij &gt; θ_j], φ*_F = 1; w*_j ∈ {−1, 0, +1} uniformly; y* = Σ_j w*_j φ*_j + N(0, 1). The continual
/// version keeps U* and θ and redraws a fraction of w* (<see cref="Mutate"/>, the authors' W_mutate) between tasks.
/// Draws come from one xoshiro256** generator in the authors' order: a task's inputs, then (first task only) U* and w*,
/// then its noise.
/// </summary>
public sealed class Geoff
{
    public const double Beta = 0.6;

    private readonly GaussianRng rng;

    public Geoff(int inputs, int features, ulong seed)
    {
        if (inputs < 1 || features < 1) throw new ArgumentException($"GEOFF needs at least 1 input and 1 feature (got {inputs}, {features})");
        (Inputs, Features) = (inputs, features);
        rng = new GaussianRng(seed);
    }

    /// <summary>m, the random bits per input (the authors': 20).</summary>
    public int Inputs { get; }

    /// <summary>F, the threshold features (the authors': 1000).</summary>
    public int Features { get; }

    /// <summary>U*, [(m + 1), (F + 1)] row-major, entries ±1 (the last column belongs to the bias feature, whose value is forced to 1).</summary>
    public int[] UStar { get; private set; } = [];

    /// <summary>θ_j for the F + 1 features.</summary>
    public double[] Theta { get; private set; } = [];

    /// <summary>w*, F + 1 entries in {−1, 0, +1}.</summary>
    public int[] WStar { get; private set; } = [];

    /// <summary>The positions <see cref="Mutate"/> redrew last.</summary>
    public int[] LastMutated { get; private set; } = [];

    /// <summary>n fresh inputs, [n, m + 1] row-major with the bias entry 1 last.</summary>
    public double[] NewInputs(int count)
    {
        int cols = Inputs + 1;
        var x = new double[count * cols];
        for (int r = 0; r < count; r++)
        {
            for (int i = 0; i < Inputs; i++) x[r * cols + i] = rng.NextUniform() > 0.5 ? 0 : 1;
            x[r * cols + Inputs] = 1;
        }
        return x;
    }

    /// <summary>Draws U* (hence θ) and w*.</summary>
    public void NewTarget()
    {
        int rows = Inputs + 1, cols = Features + 1;
        UStar = new int[rows * cols];
        for (int k = 0; k < UStar.Length; k++) UStar[k] = rng.NextUniform() > 0.5 ? 1 : -1;
        Theta = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            int negative = 0;
            for (int i = 0; i < rows; i++) if (UStar[i * cols + j] < 0) negative++;
            Theta[j] = rows * Beta - negative;
        }
        WStar = new int[cols];
        for (int j = 0; j < cols; j++) WStar[j] = Ternary();
    }

    /// <summary>φ*(x), F + 1 values in {0, 1} with φ*_F = 1.</summary>
    public double[] TargetFeatures(ReadOnlySpan<double> input)
    {
        int rows = Inputs + 1, cols = Features + 1;
        var phi = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            double s = 0;
            for (int i = 0; i < rows; i++) s += input[i] * UStar[i * cols + j];
            phi[j] = s > Theta[j] ? 1 : 0;
        }
        phi[Features] = 1;
        return phi;
    }

    /// <summary>y* = Σ_j w*_j φ*_j(x) + N(0, 1) for every row of x.</summary>
    public double[] Targets(double[] x)
    {
        int cols = Inputs + 1, count = x.Length / cols;
        var y = new double[count];
        for (int r = 0; r < count; r++)
        {
            var phi = TargetFeatures(x.AsSpan(r * cols, cols));
            double s = 0;
            for (int j = 0; j < phi.Length; j++) s += WStar[j] * phi[j];
            y[r] = s;
        }
        for (int r = 0; r < count; r++) y[r] += rng.NextGaussian();
        return y;
    }

    /// <summary>The authors' W_mutate(fraction): a random ⌊(F + 1)·fraction⌋ of the positions of w* (Fisher–Yates) redrawn from {−1, 0, +1}.</summary>
    public void Mutate(double fraction)
    {
        int size = WStar.Length;
        var positions = Enumerable.Range(0, size).ToArray();
        for (int i = size - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (positions[i], positions[j]) = (positions[j], positions[i]);
        }
        LastMutated = positions.Take((int)(size * fraction)).ToArray();
        foreach (int p in LastMutated) WStar[p] = Ternary();
    }

    private int Ternary() => (int)(rng.NextUInt64() % 3) - 1;
}
