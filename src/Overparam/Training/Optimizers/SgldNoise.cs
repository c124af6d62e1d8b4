using System.Diagnostics;
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
/// (<see cref="Start"/>, called after this step's noise has been used): a worker thread takes blocks one at a time from
/// a shared counter (each drawn into a block of its own and streamed out, <see cref="Draw"/>), and <see cref="Take"/> draws the blocks still left on the calling thread and waits for the worker's
/// last one (a worker that has not woken up by then is not waited for). A Take that no Start announced draws its step
/// the same way. The worker is one long-lived thread (no thread-pool task per step, whose start-up and spinning cost a
/// second core that is often busy); between steps it spins for up to <see cref="WorkerSpin"/> before it sleeps (waking
/// a sleeping thread cost 40–90 µs a step on the 2-core machine of bench/README.md), and it ends after
/// <see cref="IdleTimeout"/> without work and is started again by the next Start. The numbers are the same with or
/// without the worker, for any thread count (GaussianNoise's vectors are exact integer and IEEE arithmetic, its rare
/// scalar continuation Math's exp and ln).
/// </para>
/// </summary>
public sealed class SgldNoise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ulong seed;
    private readonly T[][] buffers;
    private readonly (int P, int Start, int Length)[] blocks;
    private long step = -1;
    private int inner, next;
    private readonly object gate = new();
    // Under gate: a Start not yet taken; a Start the worker has not picked up yet; the worker drawing; the worker thread alive; the worker asleep in Wait.
    private bool announced, pending, busy, running, sleeping;

    [ThreadStatic] private static double[]? draws;
    [ThreadStatic] private static T[]? staged;

    /// <summary>How long the worker thread waits for a Start before it ends.</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long the worker spins for the next Start before it sleeps (a step's gradient takes ~0.4 ms at the flatness study's sizes).</summary>
    private static readonly TimeSpan WorkerSpin = TimeSpan.FromMilliseconds(2);

    /// <summary>How long Take spins for the worker's last block before it blocks.</summary>
    private static readonly TimeSpan SpinLimit = TimeSpan.FromMicroseconds(20);

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

    /// <summary>Starts drawing the noise of outer step <paramref name="t"/>, inner step <paramref name="inner"/> on the worker thread.</summary>
    public void Start(long t, int inner)
    {
        lock (gate)
        {
            while (busy) Monitor.Wait(gate);
            (step, this.inner, next) = (t, inner, 0);
            (announced, pending) = (true, true);
            if (running) { if (sleeping) Monitor.Pulse(gate); }
            else
            {
                running = true;
                new Thread(Work) { IsBackground = true, Name = "SGLD noise" }.Start();
            }
        }
    }

    /// <summary>The noise of outer step <paramref name="t"/>, inner step <paramref name="inner"/>, per parameter (valid until the next Start or unannounced Take).</summary>
    public IReadOnlyList<T[]> Take(long t, int inner)
    {
        lock (gate)
        {
            if (!announced || step != t || this.inner != inner)
            {
                while (busy) Monitor.Wait(gate);
                (step, this.inner, next) = (t, inner, 0);
            }
            (announced, pending) = (false, false);            // a worker that has not woken up yet draws nothing
        }
        Draw(streamed: false);
        long spinStart = Stopwatch.GetTimestamp();                    // the worker's last block takes ~10 µs: spin, then block
        while (Volatile.Read(ref busy) && Stopwatch.GetElapsedTime(spinStart) < SpinLimit) Thread.SpinWait(20);
        lock (gate)
            while (busy) Monitor.Wait(gate);
        return buffers;
    }

    /// <summary>The worker thread: draws each Start's blocks while the caller computes, until it has waited <see cref="IdleTimeout"/> in vain.</summary>
    private void Work()
    {
        while (true)
        {
            long spinStart = Stopwatch.GetTimestamp();
            while (!Volatile.Read(ref pending) && Stopwatch.GetElapsedTime(spinStart) < WorkerSpin) Thread.SpinWait(20);
            lock (gate)
            {
                while (!pending)
                {
                    sleeping = true;
                    bool woken = Monitor.Wait(gate, IdleTimeout);
                    sleeping = false;
                    if (!woken && !pending) { running = false; return; }
                }
                (pending, busy) = (false, true);
            }
            Draw(streamed: true);
            lock (gate)
            {
                busy = false;
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>
    /// Draws blocks until none is left; <paramref name="streamed"/> (the worker) draws each into a block of its own and
    /// copies it out by streaming stores (<see cref="StreamingCopy"/>: the caller's cache holds the buffers' lines from the last pass).
    /// </summary>
    private void Draw(bool streamed)
    {
        for (int j; (j = Interlocked.Increment(ref next) - 1) < blocks.Length;)
        {
            var (p, start, length) = blocks[j];
            var target = buffers[p].AsSpan(start, length);
            if (!streamed)
            {
                Fill(step, inner, p, start, target);
                continue;
            }
            var own = (staged ??= new T[ParameterBuffers<T>.BlockLength]).AsSpan(0, length);
            Fill(step, inner, p, start, own);
            StreamingCopy.Copy<T>(own, target);
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
