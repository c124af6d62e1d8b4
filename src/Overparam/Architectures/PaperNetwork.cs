using System.Numerics;
using System.Numerics.Tensors;
using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// What the paper's three networks share: one scalar output, the generic <see cref="IModel{T}"/> gradient on top of the
/// label-independent <see cref="BackPropagate"/>, the layer's activation pass, and buffers sized for the largest batch
/// seen and reused for smaller ones.
/// </summary>
public abstract class PaperNetwork<T> : INetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public NetworkConfig Config { get; }
    public IReadOnlyList<Parameter<T>> Parameters { get; }
    public int Outputs => 1;
    public int InputSize => Config.InputSize;

    private T[] residual = [];
    private int residualLength;

    protected PaperNetwork(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
    {
        Config = config;
        Parameters = parameters;
    }

    public abstract void Forward(Matrix<T> x, Span<T> outputs);
    public abstract void BackPropagate();
    public abstract Matrix<double>[] GramMatrices();

    /// <summary>target_h = alpha · ∂L/∂θ_h + beta · target_h for the trained parameters, with L = ½ Σ r_i² at residual r.</summary>
    protected abstract void Accumulate(ReadOnlySpan<T> r, T alpha, T beta, Func<int, T[]> target, IReadOnlyList<bool>? trained);

    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        BackPropagate();
        if (residual.Length < outputGradient.Length) residual = new T[outputGradient.Length];
        outputGradient.CopyTo(residual);
        residualLength = outputGradient.Length;
    }

    public void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null) =>
        Gradients(residual.AsSpan(0, residualLength), gradients, trained);

    public void Gradients(ReadOnlySpan<T> residual, IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null)
        => Accumulate(residual, T.One, T.Zero, h => gradients[h], trained);

    public void DescentStep(ReadOnlySpan<T> residual, T eta, IReadOnlyList<bool>? trained = null)
        => Accumulate(residual, -eta, T.One, h => Parameters[h].Value, trained);

    /// <summary>The parameter's values as a matrix, after checking its shape.</summary>
    protected static Matrix<T> Weights(Parameter<T> p, int rows, int cols)
    {
        if (p.Shape.Length != 2 || p.Shape[0] != rows || p.Shape[1] != cols)
            throw new ArgumentException($"{p.Name} has shape [{string.Join(", ", p.Shape)}], expected [{rows}, {cols}]");
        return new Matrix<T>(rows, cols, p.Value);
    }

    /// <summary>A rows × cols view of <paramref name="storage"/>, which is grown (never shrunk) to hold it.</summary>
    protected static Matrix<T> Buffer(ref T[] storage, int rows, int cols)
    {
        int length = checked(rows * cols);
        if (storage.Length < length) storage = new T[length];
        return Matrix<T>.View(rows, cols, storage);
    }

    /// <summary>
    /// X_h = scale·σ(Z_h) (+ X_{h−1} when <paramref name="skip"/> is given), and Z_h is replaced by slope_h = scale·σ′(Z_h).
    /// </summary>
    protected static void Activate(Activation act, double scale, Matrix<T> z, Matrix<T> cur, Matrix<T>? skip)
    {
        T s = T.CreateTruncating(scale);
        Chunks.For(z.Length, (start, len) =>
        {
            var zs = z.Data.AsSpan(start, len);
            var xs = cur.Data.AsSpan(start, len);
            var pooled = System.Buffers.ArrayPool<T>.Shared.Rent(len);
            var zCopy = pooled.AsSpan(0, len);
            zs.CopyTo(zCopy);
            act.Evaluate<T>(zCopy, xs, zs);                                      // σ(Z) → X_h, σ′(Z) → slope
            System.Buffers.ArrayPool<T>.Shared.Return(pooled);
            TensorPrimitives.Multiply(zs, s, zs);
            if (skip is not null) TensorPrimitives.MultiplyAdd(xs, s, skip.Data.AsSpan(start, len), xs);
            else TensorPrimitives.Multiply(xs, s, xs);
        });
    }

    /// <summary>d ← d ∘ s element-wise (Δ_h = B_h ∘ slope_h).</summary>
    protected static void MultiplyInPlace(Matrix<T> d, Matrix<T> s) =>
        Chunks.For(d.Length, (start, len) =>
            TensorPrimitives.Multiply(d.Data.AsSpan(start, len), s.Data.AsSpan(start, len), d.Data.AsSpan(start, len)));
}
