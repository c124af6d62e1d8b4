namespace Overparam.Numerics;

/// <summary>
/// Gauss–Hermite quadrature for expectations over a standard normal: E[f(z)] ≈ Σ_k w_k f(z_k), z ∼ N(0, 1).
/// Nodes and weights by the Golub–Welsch algorithm on the probabilists' Hermite polynomials.
/// </summary>
public sealed class GaussHermite
{
    public double[] Nodes { get; }
    public double[] Weights { get; }

    private static readonly Dictionary<int, GaussHermite> Cache = new();

    private GaussHermite(double[] nodes, double[] weights) { Nodes = nodes; Weights = weights; }

    /// <summary>The n-point rule for N(0, 1), cached.</summary>
    public static GaussHermite ForStandardNormal(int n)
    {
        if (n < 1 || n > 400) throw new ArgumentOutOfRangeException(nameof(n), "quadrature degree must be in 1..400");
        lock (Cache)
        {
            if (!Cache.TryGetValue(n, out var rule)) Cache[n] = rule = Build(n);
            return rule;
        }
    }

    // Golub–Welsch: the nodes are the eigenvalues of the Jacobi matrix of the probabilists' Hermite polynomials
    // (zero diagonal, off-diagonal sqrt(k)), and each weight is the squared first component of its unit eigenvector.
    private static GaussHermite Build(int n)
    {
        var jacobi = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n);
        for (int k = 1; k < n; k++) jacobi[k, k - 1] = jacobi[k - 1, k] = Math.Sqrt(k);
        var evd = jacobi.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        var nodes = new double[n];
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            nodes[i] = evd.EigenValues[order[i]].Real;
            double v0 = evd.EigenVectors[0, order[i]];
            weights[i] = v0 * v0;
        }
        // Symmetrize (the rule is exactly symmetric about 0).
        for (int i = 0; i < n / 2; i++)
        {
            double x = 0.5 * (nodes[n - 1 - i] - nodes[i]), w = 0.5 * (weights[i] + weights[n - 1 - i]);
            nodes[i] = -x; nodes[n - 1 - i] = x; weights[i] = weights[n - 1 - i] = w;
        }
        if (n % 2 == 1) nodes[n / 2] = 0;
        return new GaussHermite(nodes, weights);
    }

    /// <summary>E[f(z)] for z ∼ N(0, 1).</summary>
    public double Expect(Func<double, double> f)
    {
        double s = 0;
        for (int i = 0; i < Nodes.Length; i++) s += Weights[i] * f(Nodes[i]);
        return s;
    }
}
