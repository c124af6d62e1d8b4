using System.Numerics.Tensors;
using Overparam.Numerics;

namespace Overparam.Kernels;

/// <summary>Element-wise helpers on n×n kernel matrices (vectorized).</summary>
internal static class Hadamard
{
    public static Matrix<double> Multiply(Matrix<double> a, Matrix<double> b)
    {
        var c = new Matrix<double>(a.Rows, a.Cols);
        TensorPrimitives.Multiply<double>(a.Data, b.Data, c.Data);
        return c;
    }

    public static Matrix<double> Scale(Matrix<double> a, double s)
    {
        var c = new Matrix<double>(a.Rows, a.Cols);
        TensorPrimitives.Multiply<double>(a.Data, s, c.Data);
        return c;
    }

    /// <summary>Gram matrix X Xᵀ of the rows of X.</summary>
    public static Matrix<double> Gram(Matrix<double> x) => LinearAlgebra.Multiply(x, false, x, true);

    public static double[]? Spectrum(Matrix<double>? m, bool wanted) => wanted && m is not null ? LinearAlgebra.SymmetricEigenvalues(m) : null;
}
