using System.Numerics;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Entropy-SGD's SGLD noise ξ ~ N(0, I), one draw per coordinate of the trained parameters at every inner step
/// (docs/mathematics.md §11.2). Block b (of <see cref="ParameterBuffers{T}.BlockLength"/> coordinates) of parameter p at
/// outer step t, inner step i is <see cref="GaussianNoise.Fill"/> of the key <see cref="Key"/>(seed, t, i, p, b), rounded
/// to T: a pure function of those numbers, so the noise needs no state, a resumed run draws the same, and any thread may
/// draw any block.
/// <para>
/// That lets the next inner step's noise be drawn on another core while the step's gradient is computed
/// (<see cref="Start"/>): a worker takes blocks one at a time from a shared counter, and <see cref="Take"/> draws the
/// blocks still left on the calling thread and waits for the worker's last one. A Take that no Start announced draws
/// its step the same way. The numbers are the same with or without the worker, for any thread count (with methods with
/// loops compiled optimized at once, Directory.Build.props: TensorPrimitives' ln/sin/cos gave 1 draw in 4096 1 ulp apart
/// before and after the JIT's tier-up otherwise).
/// </para>
/// </summary>
public sealed class SgldNoise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ulong seed;
    private readonly T[][] buffers;
    private readonly (int P, int Start, int Length)[] blocks;
    private long step = -1;
    private int inner, next;
    private Task? worker;

    [ThreadStatic] private static double[]? draws;

    /// <summary>Noise of seed <paramref name="seed"/> for parameters of the given lengths (0: not trained, no noise).</summary>
    public SgldNoise(ulong seed, IReadOnlyList<int> lengths)
    {
        this.seed = seed;
        buffers = lengths.Select(n => new T[n]).ToArray();
        var list = new List<(int, int, int)>();
        for (int p = 0; p < lengths.Count; p++)
            for (int i = 0; i < lengths[p]; i += ParameterBuffers<T>.BlockLength)
                list.Add((p, i, Math.Min(ParameterBuffers<T>.BlockLength, lengths[p] - i)));
        blocks = list.ToArray();
    }

    /// <summary>The key of the noise of outer step t, inner step i, parameter p, block b.</summary>
    public static ulong Key(ulong seed, long t, int inner, int p, int block) =>
        Mix(Mix(Mix(Mix(seed ^ (ulong)t) ^ (ulong)inner) ^ (ulong)p) ^ (ulong)block);

    /// <summary>Starts drawing the noise of outer step <paramref name="t"/>, inner step <paramref name="inner"/> on a worker.</summary>
    public void Start(long t, int inner)
    {
        worker?.Wait();
        (step, this.inner, next) = (t, inner, 0);
        worker = Task.Run(Draw);
    }

    /// <summary>The noise of outer step <paramref name="t"/>, inner step <paramref name="inner"/>, per parameter (valid until the next Start).</summary>
    public IReadOnlyList<T[]> Take(long t, int inner)
    {
        if (worker is null || step != t || this.inner != inner)
        {
            worker?.Wait();
            (step, this.inner, next) = (t, inner, 0);
            worker = null;
        }
        Draw();
        worker?.Wait();
        worker = null;
        return buffers;
    }

    /// <summary>Draws blocks until none is left.</summary>
    private void Draw()
    {
        for (int j; (j = Interlocked.Increment(ref next) - 1) < blocks.Length;)
        {
            var (p, start, length) = blocks[j];
            Fill(step, inner, p, start, buffers[p].AsSpan(start, length));
        }
    }

    /// <summary>The noise of outer step t, inner step i, parameter p from coordinate <paramref name="start"/> (a block's first) on.</summary>
    public void Fill(long t, int inner, int p, int start, Span<T> target)
    {
        ulong key = Key(seed, t, inner, p, start / ParameterBuffers<T>.BlockLength);
        if (typeof(T) == typeof(double)) GaussianNoise.Fill(key, MemoryMarshal.Cast<T, double>(target));
        else
        {
            draws ??= new double[ParameterBuffers<T>.BlockLength];
            GaussianNoise.Fill(key, draws.AsSpan(0, target.Length));
            TensorPrimitives.ConvertTruncating<double, T>(draws.AsSpan(0, target.Length), target);
        }
    }

    /// <summary>SplitMix64's finalizer after its increment.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
