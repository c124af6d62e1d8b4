namespace Overparam.Numerics;

/// <summary>Splits element-wise work over the cores in cache-sized chunks; the result does not depend on the split.</summary>
public static class Chunks
{
    /// <summary>Elements per chunk: 8192 doubles = 64 KiB, a few buffers of which stay in L2.</summary>
    public const int Size = 8192;

    /// <summary>
    /// Below this many elements the chunks run on the calling thread: such work takes tens of microseconds, less than
    /// waking the pool's workers, which then spin and compete with OpenBLAS's own spinning threads for the cores
    /// (a minibatch layer of 128 × 1024 is half of it; the paper's full batch, 512 × 2048, is four times it).
    /// </summary>
    public const int SerialBelow = 32 * Size;

    /// <summary>Threads used for element-wise work (set with --threads).</summary>
    public static int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>Calls body(start, length) for consecutive chunks of [0, total), in parallel unless the total is small.</summary>
    public static void For(int total, Action<int, int> body)
    {
        int chunks = (total + Size - 1) / Size;
        if (chunks <= 1 || Threads <= 1 || total < SerialBelow)
        {
            for (int c = 0; c < chunks; c++) body(c * Size, Math.Min(Size, total - c * Size));
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads },
            c => body(c * Size, Math.Min(Size, total - c * Size)));
    }
}
