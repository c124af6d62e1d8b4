namespace Overparam.Numerics;

/// <summary>Splits element-wise work over the cores in cache-sized chunks; the result does not depend on the split.</summary>
public static class Chunks
{
    /// <summary>Elements per chunk: 8192 doubles = 64 KiB, a few buffers of which stay in L2.</summary>
    public const int Size = 8192;

    /// <summary>Threads used for element-wise work (set with --threads).</summary>
    public static int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>Calls body(start, length) for consecutive chunks of [0, total), in parallel.</summary>
    public static void For(int total, Action<int, int> body)
    {
        int chunks = (total + Size - 1) / Size;
        if (chunks <= 1 || Threads <= 1)
        {
            for (int c = 0; c < chunks; c++) body(c * Size, Math.Min(Size, total - c * Size));
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads },
            c => body(c * Size, Math.Min(Size, total - c * Size)));
    }
}
