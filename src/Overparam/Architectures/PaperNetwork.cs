using System.Numerics;
using System.Numerics.Tensors;
using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// What the paper's three networks share: the generic <see cref="IModel{T}"/> gradient — for one output on top of the
/// label-independent <see cref="BackPropagate()"/> (so the paper's path is what it always was), for C outputs by
/// back-propagating ∂L/∂u itself —, the layer's activation pass, and buffers sized for the largest batch seen and reused
/// for smaller ones. The proof's view (<see cref="INetwork{T}"/>: BackPropagate, residual gradients, Gram matrices) is
/// defined for one output only.
/// </summary>
public abstract class PaperNetwork<T> : INetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public NetworkConfig Config { get; }
    public IReadOnlyList<Parameter<T>> Parameters { get; }
    public int Outputs => Config.Outputs;
    public int InputSize => Config.InputSize;

    private T[] residual = [];
    private int residualLength;
    private bool seeded;

    /// <summary>Positions in <see cref="Parameters"/> of W_h and b_h (h = 1..H at index h−1; −1 without biases), of a and of b_out (−1).</summary>
    protected readonly int[] WAt, BAt;
    protected readonly int AAt, BOutAt;

    protected PaperNetwork(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
    {
        Config = config;
        Parameters = parameters;
        WAt = Enumerable.Range(1, config.Depth).Select(h => IndexOf($"W{h}")).ToArray();
        BAt = Enumerable.Range(1, config.Depth).Select(h => IndexOf($"b{h}")).ToArray();
        AAt = IndexOf("a");
        BOutAt = IndexOf("b_out");
    }

    /// <summary>True when parameter position <paramref name="p"/> exists (≥ 0) and trains.</summary>
    protected static bool Trains(int p, IReadOnlyList<bool>? trained) => p >= 0 && (trained is null || trained[p]);

    public abstract void Forward(Matrix<T> x, Span<T> outputs);

    /// <summary>One output: B_H = ∂u_i/∂X_H (the same for every sample), then every layer's Δ_h, independent of the labels.</summary>
    public abstract void BackPropagate();

    /// <summary>Any C: B_H = G·(output weights)ᵀ per sample from the n × C gradient G = ∂L/∂u, then every layer's Δ_h.</summary>
    protected abstract void BackPropagate(ReadOnlySpan<T> outputGradient);

    public abstract Matrix<double>[] GramMatrices();

    /// <summary>
    /// target_p = alpha · ∂L/∂θ_p + beta · target_p for the trained parameters p. With <paramref name="seeded"/> false
    /// (one output, after <see cref="BackPropagate()"/>) <paramref name="g"/> is the residual r and every Δ_h is weighted
    /// by r_i; with it true the Δ_h already hold ∂L/∂Z_h and <paramref name="g"/> (n × C) only enters the output layer.
    /// </summary>
    protected abstract void Accumulate(ReadOnlySpan<T> g, bool seeded, T alpha, T beta, Func<int, T[]> target, IReadOnlyList<bool>? trained);

    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        seeded = Outputs > 1 || Config.BatchNorm;                                // batch norm couples the samples: back-propagate ∂L/∂u itself
        if (seeded) BackPropagate(outputGradient);
        else BackPropagate();
        if (residual.Length < outputGradient.Length) residual = new T[outputGradient.Length];
        outputGradient.CopyTo(residual);
        residualLength = outputGradient.Length;
    }

    public void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null) =>
        Accumulate(residual.AsSpan(0, residualLength), seeded, T.One, T.Zero, p => gradients[p], trained);

    public void Gradients(ReadOnlySpan<T> residual, IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null)
    {
        RequireOneOutput("residual gradients");
        Accumulate(residual, false, T.One, T.Zero, p => gradients[p], trained);
    }

    public void DescentStep(ReadOnlySpan<T> residual, T eta, IReadOnlyList<bool>? trained = null)
    {
        RequireOneOutput("the fused descent step");
        Accumulate(residual, false, -eta, T.One, p => Parameters[p].Value, trained);
    }

    /// <summary>The proof's quantities (label-independent back-propagation, per-layer Grams) exist for one output and per-sample Jacobians only.</summary>
    protected void RequireOneOutput(string what)
    {
        if (Outputs != 1) throw new InvalidOperationException($"{what} is defined for one output; this network has C = {Outputs}");
        if (Config.BatchNorm) throw new InvalidOperationException($"{what} is defined per sample, and batch norm couples the samples of a batch");
    }

    /// <summary>The position of the parameter named <paramref name="name"/>, or −1.</summary>
    protected int IndexOf(string name)
    {
        for (int p = 0; p < Parameters.Count; p++) if (Parameters[p].Name == name) return p;
        return -1;
    }

    /// <summary>A vector of n ones, for column sums by GEMM.</summary>
    protected T[] Ones(int n)
    {
        if (ones.Length < n) { ones = new T[n]; Array.Fill(ones, T.One); }
        return ones;
    }

    private T[] ones = [];

    /// <summary>Adds v to every row of the row-major <paramref name="rows"/> (rows of v.Length entries): a bias broadcast over the batch.</summary>
    protected static void AddToRows(Span<T> rows, ReadOnlySpan<T> v)
    {
        for (int start = 0; start < rows.Length; start += v.Length) TensorPrimitives.Add(rows.Slice(start, v.Length), v, rows.Slice(start, v.Length));
    }

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
    /// Z_h += b_h on every row when <paramref name="bias"/> is given (rows of bias.Length entries), then X_h = scale·σ(Z_h)
    /// (+ X_{h−1} when <paramref name="skip"/> is given), and Z_h is replaced by slope_h = scale·σ′(Z_h).
    /// </summary>
    protected static void Activate(Activation act, double scale, Matrix<T> z, Matrix<T> cur, Matrix<T>? skip, T[]? bias = null)
    {
        T s = T.CreateTruncating(scale);
        bool unit = scale == 1;                                                  // standard parameterization: x·1 = x exactly, so skip the pass
        Chunks.For(z.Length, (start, len) =>
        {
            var zs = z.Data.AsSpan(start, len);
            var xs = cur.Data.AsSpan(start, len);
            if (bias is not null) AddBias(zs, start, bias);                      // in the same chunk, so Z is still in L1/L2 for σ
            act.EvaluateInPlace<T>(zs, xs);                                      // σ(Z) → X_h, σ′(Z) → slope
            if (!unit) TensorPrimitives.Multiply(zs, s, zs);
            if (skip is not null) TensorPrimitives.MultiplyAdd(xs, s, skip.Data.AsSpan(start, len), xs);
            else if (!unit) TensorPrimitives.Multiply(xs, s, xs);
        });
    }

    /// <summary>Adds the bias to the chunk of row-major rows that starts at element <paramref name="start"/> of the matrix.</summary>
    private static void AddBias(Span<T> chunk, int start, T[] bias)
    {
        for (int i = 0, col = start % bias.Length; i < chunk.Length; col = 0)
        {
            int len = Math.Min(bias.Length - col, chunk.Length - i);
            TensorPrimitives.Add(chunk.Slice(i, len), bias.AsSpan(col, len), chunk.Slice(i, len));
            i += len;
        }
    }

    /// <summary>d ← d ∘ s element-wise (Δ_h = B_h ∘ slope_h).</summary>
    protected static void MultiplyInPlace(Matrix<T> d, Matrix<T> s) =>
        Chunks.For(d.Length, (start, len) =>
            TensorPrimitives.Multiply(d.Data.AsSpan(start, len), s.Data.AsSpan(start, len), d.Data.AsSpan(start, len)));
}
