using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Measures;

/// <summary>
/// The expressivity condition measured on one matrix M (r × c): its singular values σ_1 ≥ … ≥ σ_k (k = min(r, c)), the
/// numerical rank (the number of σ_j above <see cref="Tolerance"/>), σ_min = σ_k, σ_max = σ_1, and whether the condition
/// holds: rank M = r, i.e. full row rank (for Φ, rank Φ = n, which needs m ≥ n).
/// </summary>
/// <param name="Tolerance">σ_max·max(r, c)·ε with ε = 2⁻⁵² (NumPy's matrix_rank default).</param>
public sealed record ExpressivityResult(int Rows, int Cols, int Rank, double SigmaMin, double SigmaMax, double Tolerance)
{
    /// <summary>rank M = r: every target in R^r is reachable by the linear block.</summary>
    public bool Holds => Rank == Rows;

    /// <summary>κ = (σ_max/σ_min)², the condition number of MMᵀ (ΦΦᵀ), which sets gradient descent's rate on the linear block.</summary>
    public double Kappa => SigmaMax / SigmaMin * (SigmaMax / SigmaMin);
}

/// <summary>σ_min and σ_max of a matrix as <see cref="Expressivity.Extremes"/> computed them: by the Gram route, or by the SVD when <see cref="BySvd"/>.</summary>
public sealed record SingularExtremes(double SigmaMin, double SigmaMax, bool BySvd);

/// <summary>
/// The expressivity condition of Kawaguchi &amp; Huang (2019) and Kawaguchi &amp; Sun (2021) (docs/mathematics.md §13):
/// the feature matrix Φ of the last hidden layer on the training set has rank n; in its general
/// form, the Jacobian of the n·C outputs with respect to a parameter block has rank n·C. Singular values by LAPACK's
/// dgesdd through <see cref="LinearAlgebra"/>, in float64.
/// </summary>
public static class Expressivity
{
    /// <summary>ε, the float64 machine epsilon 2⁻⁵².</summary>
    public static readonly double Epsilon = Math.Pow(2, -52);

    /// <summary>The rank tolerance σ_max·max(r, c)·ε.</summary>
    public static double Tolerance(double sigmaMax, int rows, int cols) => sigmaMax * Math.Max(rows, cols) * Epsilon;

    /// <summary>Rank, σ_min, σ_max and the condition of <paramref name="m"/>.</summary>
    public static ExpressivityResult Measure(Matrix<double> m)
    {
        if (m.Rows == 0 || m.Cols == 0) return new ExpressivityResult(m.Rows, m.Cols, 0, 0, 0, 0);
        return FromSingularValues(LinearAlgebra.SingularValues(m), m.Rows, m.Cols);
    }

    /// <summary>
    /// The Gram route is trusted while σ_min ≥ GramFloor·σ_max, i.e. κ = (σ_max/σ_min)² ≤ 10¹²; below it
    /// <see cref="Extremes"/> falls back to the SVD (docs/mathematics.md §14).
    /// </summary>
    public const double GramFloor = 1e-6;

    /// <summary>
    /// σ_min and σ_max of an r × c matrix M without its SVD: σ_j(M)² are the eigenvalues of the Gram G = MMᵀ (r ≤ c) or
    /// MᵀM (r &gt; c), formed by one dsyrk (min(r, c)²·max(r, c) flops, half a GEMM's) and solved by dsyevr. Squaring costs
    /// accuracy: G carries an absolute error of a small multiple of ε·σ_max², so σ_min comes with a relative error of
    /// about ½·ε·κ, κ = (σ_max/σ_min)² (10⁻⁹ at κ = 10⁷; 10⁻⁴ at the floor κ = 10¹²). When the estimate falls below
    /// <see cref="GramFloor"/>·σ_max, or is not positive, the SVD (dgesdd) gives both values instead. No rank: the rank needs
    /// the small singular values themselves, so <see cref="Measure"/> keeps the SVD.
    /// </summary>
    public static SingularExtremes Extremes(Matrix<double> m)
    {
        if (m.Rows == 0 || m.Cols == 0) return new SingularExtremes(0, 0, false);
        var eigen = LinearAlgebra.SymmetricEigenvalues(LinearAlgebra.Gram(m, ofColumns: m.Rows > m.Cols));
        double max = Math.Sqrt(Math.Max(eigen[^1], 0)), min = Math.Sqrt(Math.Max(eigen[0], 0));
        if (min > 0 && min >= GramFloor * max) return new SingularExtremes(min, max, false);
        var sigma = LinearAlgebra.SingularValues(m);
        return new SingularExtremes(sigma[^1], sigma[0], true);
    }

    /// <summary>
    /// Whether σ_min(M) &gt; <paramref name="bound"/> is certified, for an r × c matrix M with r ≤ c (σ_min = σ_r), by one
    /// dsyrk and one Cholesky factorization instead of eigenvalues (docs/mathematics.md §14): with Ĝ = fl(MMᵀ),
    /// <code>
    /// certified  ⇔  dpotrf(Ĝ − s·I) runs to completion,   s = bound² + δ,   δ = 2·(γ_{r+1}/(1 − γ_{r+1}) + γ_c + ε)·tr Ĝ
    /// </code>
    /// with γ_k = kε/(1 − kε) and ε = 2⁻⁵² (twice the unit roundoff of Higham's bounds: conservative). Completion means Ĝ − sI + ΔA = R̂ᵀR̂ with R̂ nonsingular, where
    /// ‖ΔA‖₂ ≤ γ_{r+1}/(1 − γ_{r+1})·tr(Ĝ − sI) (Cholesky's backward error, Higham, Accuracy and Stability of Numerical
    /// Algorithms, Thm 10.3) plus ε·tr Ĝ for the rounding of the shifted diagonal; and ‖Ĝ − MMᵀ‖₂ ≤ γ_c·tr(MMᵀ) (each entry
    /// a dot product of length c). So λ_min(MMᵀ) &gt; s − δ = bound², i.e. σ_min(M) &gt; bound. The factor 2 covers
    /// tr(MMᵀ) ≤ (1 + γ_c)·tr Ĝ. A false answer proves nothing (σ_min may be just above the bound): the caller then
    /// computes σ_min. The shift is tiny against the bounds a check uses: δ/tr Ĝ ≈ (r + c)ε, 3·10⁻¹³ at r = 1000,
    /// c = 1536. Underflow is ignored (entries far above 10⁻³⁰⁰). Cost: r²c flops for Ĝ and r³/3 for the factor, against
    /// dsyevr's ≈ 4r³/3 in <see cref="Extremes"/>.
    /// </summary>
    public static bool CertifiesSigmaMinAbove(Matrix<double> m, double bound)
    {
        if (m.Rows > m.Cols) throw new ArgumentException($"a {m.Rows} × {m.Cols} matrix has more rows than columns: σ_{m.Rows} is 0");
        if (!(bound >= 0) || !double.IsFinite(bound)) throw new ArgumentException($"the bound {bound} must be a finite number ≥ 0");
        if (m.Rows == 0) return true;
        var g = LinearAlgebra.Gram(m, ofColumns: false);
        int r = m.Rows;
        double trace = 0;
        for (int i = 0; i < r; i++) trace += g[i, i];
        double gammaR = Gamma(r + 1), delta = 2 * (gammaR / (1 - gammaR) + Gamma(m.Cols) + Epsilon) * trace, shift = bound * bound + delta;
        for (int i = 0; i < r; i++) g[i, i] -= shift;
        return LinearAlgebra.Cholesky(g);
    }

    // γ_k = kε/(1 − kε), the bound on the relative error of k floating-point operations in a row (Higham, §3.1).
    private static double Gamma(int k) => k * Epsilon / (1 - k * Epsilon);

    /// <summary>The measurement from the singular values (descending) of an r × c matrix.</summary>
    public static ExpressivityResult FromSingularValues(IReadOnlyList<double> sigma, int rows, int cols)
    {
        double max = sigma[0], tolerance = Tolerance(max, rows, cols);
        int rank = sigma.Count(s => s > tolerance);
        return new ExpressivityResult(rows, cols, rank, sigma[^1], max, tolerance);
    }

    /// <summary>Φ of <paramref name="model"/> on the rows of <paramref name="x"/> (one forward pass), in float64.</summary>
    public static Matrix<double> Features<T>(IModel<T> model, Matrix<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (model is not IFeatureModel<T> features)
            throw new ArgumentException($"the model ({model.GetType().Name}) does not expose the features of a last hidden layer");
        model.Forward(x, new T[x.Rows * model.Outputs]);
        var phi = features.Features;
        return typeof(T) == typeof(double) ? ((Matrix<double>)(object)phi).Clone() : phi.Convert<double>();
    }

    /// <summary>
    /// J = ∂f_X/∂θ_S, the (n·C) × |θ_S| Jacobian of the outputs (row i·C + c: ∂f_c(x_i)/∂θ_S) with respect to the parameters
    /// with block[p] true, their entries concatenated in the model's order; by one forward pass per sample and one
    /// backward pass per output, so it holds for any <see cref="IModel{T}"/>.
    /// </summary>
    public static Matrix<double> Jacobian<T>(IModel<T> model, Matrix<T> x, IReadOnlyList<bool> block) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ps = model.Parameters;
        if (block.Count != ps.Count) throw new ArgumentException($"the block marks {block.Count} parameters, the model has {ps.Count}");
        int size = ps.Where((_, p) => block[p]).Sum(p => p.Value.Length), c = model.Outputs, n = x.Rows;
        if (size == 0) throw new ArgumentException("the parameter block is empty");
        var gradients = ps.Select(p => new T[p.Value.Length]).ToArray();
        var jacobian = new Matrix<double>(n * c, size);
        var one = new Matrix<T>(1, x.Cols);
        var outputs = new T[c];
        var seed = new T[c];
        for (int i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(one.Data);
            model.Forward(one, outputs);
            for (int k = 0; k < c; k++)
            {
                Array.Clear(seed);
                seed[k] = T.One;
                model.Backward(seed);
                model.Gradients(gradients, block);
                var row = jacobian.Row(i * c + k);
                int at = 0;
                for (int p = 0; p < ps.Count; p++)
                {
                    if (!block[p]) continue;
                    for (int j = 0; j < gradients[p].Length; j++) row[at + j] = double.CreateTruncating(gradients[p][j]);
                    at += gradients[p].Length;
                }
            }
        }
        return jacobian;
    }
}
