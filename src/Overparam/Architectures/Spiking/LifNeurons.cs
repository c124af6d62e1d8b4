using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures.Spiking;

/// <summary>
/// A layer of leaky integrate-and-fire neurons over T time steps, spikingjelly's LIFNode with hard reset and
/// detach_reset = True (docs/mathematics.md §15.1), V_th = 1, V_reset = 0, V_0 = V_reset:
/// <code>
/// H_t = V_{t−1} + (X_t − (V_{t−1} − V_reset))/τ     charge
/// S_t = Θ(H_t − V_th)                                fire, Θ(x) = [x ≥ 0]
/// V_t = H_t (1 − S_t) + V_reset S_t                  hard reset
/// </code>
/// and its backward pass with S_t treated as a constant in the reset and σ′ in place of Θ′:
/// <code>
/// ∂L/∂H_t = ∂L/∂S_t σ′(H_t − V_th) + ∂L/∂V_t (1 − S_t),   ∂L/∂V_{t−1} = ∂L/∂H_t (1 − 1/τ),   ∂L/∂X_t = ∂L/∂H_t / τ
/// </code>
/// Arrays hold step t of element e at t·len + e (T blocks of len = samples × neurons, row-major: a (T·n) × m matrix).
/// An input or upstream gradient with stride 0 is the same at every step (the first layer's current, the readout's
/// gradient). Each pass runs in parallel over chunks of elements: the forward pass step by step over a chunk's elements,
/// the backward pass element by element with the time loop inside.
/// The charge multiplies by 1/τ, equal to the division for τ a power of two (the default 2).
/// </summary>
public static class LifNeurons
{
    public const double Threshold = 1, Reset = 0;

    /// <summary>
    /// Runs the layer: spikes S_t and surrogate slopes σ′(H_t − V_th) for t = 1..T from the input currents X_t; with
    /// <paramref name="charge"/> and <paramref name="membrane"/> also H_t and V_t (for inspection; the model keeps neither).
    /// </summary>
    public static void Forward<T>(T[] input, int inputStride, int len, SpikingConfig c, T[] spikes, T[] slope, T[]? charge = null, T[]? membrane = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool fast = !c.SmoothSpikes && ReferenceEquals(c.Surrogate, Surrogate.ATan) && Vector.IsHardwareAccelerated && charge is null && membrane is null;
        Split(len, c.TimeSteps, (start, length) =>
        {
            if (fast) ForwardATan(input, inputStride, len, c, spikes, slope, start, length);
            else ForwardScalar(input, inputStride, len, c, spikes, slope, start, length, charge, membrane);
        });
    }

    /// <summary>
    /// Back-propagates ∂L/∂S_t (<paramref name="upstream"/>, stride 0 or len) through the layer; ∂L/∂X_t goes to
    /// <paramref name="inputGradient"/> at stride len (which may be <paramref name="upstream"/> itself), or with
    /// <paramref name="sumOverTime"/> Σ_t ∂L/∂X_t to its first len entries (the first layer, whose input is the same at every step).
    /// </summary>
    public static void Backward<T>(T[] upstream, int upstreamStride, T[] spikes, T[] slope, int len, SpikingConfig c, T[] inputGradient, bool sumOverTime)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Split(len, c.TimeSteps, (start, length) => BackwardChunk(upstream, upstreamStride, spikes, slope, len, c, inputGradient, sumOverTime, start, length));
    }

    /// <summary>
    /// Calls body(start, length) over [0, len) in chunks of about <see cref="Chunks.Size"/> values over all T steps,
    /// in parallel when the work (len·T values) is at least <see cref="Chunks.SerialBelow"/>; chunks start at multiples of 64.
    /// </summary>
    private static void Split(int len, int steps, Action<int, int> body)
    {
        int size = Math.Max(64, Chunks.Size / steps / 64 * 64), chunks = (len + size - 1) / size;
        if (chunks <= 1 || Chunks.Threads <= 1 || (long)len * steps < Chunks.SerialBelow)
        {
            for (int c = 0; c < chunks; c++) body(c * size, Math.Min(size, len - c * size));
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Chunks.Threads }, c => body(c * size, Math.Min(size, len - c * size)));
    }

    /// <summary>
    /// The vectorized ATan forward pass over [start, start + length): time outside, elements inside, the membrane of
    /// the chunk's neurons kept in a buffer between steps, so that the elements of one step are independent of each
    /// other (with the time loop inside, each vector's T steps form one chain of dependent operations).
    /// </summary>
    private static void ForwardATan<T>(T[] input, int inputStride, int len, SpikingConfig c, T[] spikes, T[] slope, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = c.TimeSteps, w = Vector<T>.Count, vectors = length / w * w;
        T invTau = T.CreateTruncating(1 / c.Tau), vth = T.CreateTruncating(Threshold);
        T k = T.CreateTruncating(Math.PI / 2 * c.SurrogateAlpha), half = T.CreateTruncating(c.SurrogateAlpha / 2);
        var vInvTau = new Vector<T>(invTau); var vVth = new Vector<T>(vth); var vK = new Vector<T>(k); var vHalf = new Vector<T>(half);
        var one = Vector<T>.One; var zero = Vector<T>.Zero;
        Span<T> membrane = stackalloc T[vectors];                                 // V_{t−1} of the chunk's neurons, V_0 = V_reset = 0
        membrane.Clear();
        for (int t = 0; t < steps; t++)
        {
            int from = t * inputStride + start, to = t * len + start;
            for (int i = 0; i < vectors; i += w)
            {
                var v = new Vector<T>(membrane[i..]);
                var x = new Vector<T>(input, from + i);
                var h = v + (x - v) * vInvTau;                                   // V_reset = 0
                var s = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(h, vVth), one, zero);
                var u = (h - vVth) * vK;
                (vHalf / (one + u * u)).CopyTo(slope, to + i);                   // (α/2)/(1 + (π/2·α·(H − V_th))²)
                s.CopyTo(spikes, to + i);
                (h * (one - s)).CopyTo(membrane[i..]);
            }
        }
        if (vectors < length) ForwardScalar(input, inputStride, len, c, spikes, slope, start + vectors, length - vectors);
    }

    private static void ForwardScalar<T>(T[] input, int inputStride, int len, SpikingConfig c, T[] spikes, T[] slope, int start, int length,
        T[]? charge = null, T[]? membrane = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T invTau = T.CreateTruncating(1 / c.Tau), vth = T.CreateTruncating(Threshold);
        for (int e = start; e < start + length; e++)
        {
            T v = T.Zero;
            for (int t = 0; t < c.TimeSteps; t++)
            {
                T x = input[t * inputStride + e];
                T h = v + (x - v) * invTau;
                double d = double.CreateTruncating(h - vth);
                T s = c.SmoothSpikes ? T.CreateTruncating(c.Surrogate.Step(d, c.SurrogateAlpha)) : h >= vth ? T.One : T.Zero;
                slope[t * len + e] = T.CreateTruncating(c.Surrogate.Derivative(d, c.SurrogateAlpha));
                spikes[t * len + e] = s;
                v = h * (T.One - s);
                if (charge is not null) charge[t * len + e] = h;
                if (membrane is not null) membrane[t * len + e] = v;
            }
        }
    }

    private static void BackwardChunk<T>(T[] upstream, int upstreamStride, T[] spikes, T[] slope, int len, SpikingConfig c, T[] inputGradient,
        bool sumOverTime, int start, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = c.TimeSteps, w = Vector.IsHardwareAccelerated ? Vector<T>.Count : int.MaxValue, end = start + length;
        T invTau = T.CreateTruncating(1 / c.Tau), leak = T.CreateTruncating(1 - 1 / c.Tau);
        var vInvTau = new Vector<T>(invTau); var vLeak = new Vector<T>(leak); var one = Vector<T>.One;
        int e = start;
        for (; e + w <= end; e += w)
        {
            var dv = Vector<T>.Zero; var sum = Vector<T>.Zero;
            for (int t = steps - 1; t >= 0; t--)
            {
                int at = t * len + e;
                var dh = new Vector<T>(upstream, t * upstreamStride + e) * new Vector<T>(slope, at) + dv * (one - new Vector<T>(spikes, at));
                dv = dh * vLeak;
                if (sumOverTime) sum += dh * vInvTau;
                else (dh * vInvTau).CopyTo(inputGradient, at);
            }
            if (sumOverTime) sum.CopyTo(inputGradient, e);
        }
        for (; e < end; e++)
        {
            T dv = T.Zero, sum = T.Zero;
            for (int t = steps - 1; t >= 0; t--)
            {
                int at = t * len + e;
                T dh = upstream[t * upstreamStride + e] * slope[at] + dv * (T.One - spikes[at]);
                dv = dh * leak;
                if (sumOverTime) sum += dh * invTau;
                else inputGradient[at] = dh * invTau;
            }
            if (sumOverTime) inputGradient[e] = sum;
        }
    }
}
