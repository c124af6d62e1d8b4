using Overparam.Numerics;

namespace Overparam.Training;

/// <summary>
/// Which samples step k uses. A full batch (size n) is the whole set in its order, every step — the paper's gradient
/// descent, with no copy. Minibatches of size B split each epoch into ⌈n/B⌉ steps (the last one smaller, as PyTorch's
/// DataLoader with drop_last=False): with <see cref="Shuffle"/> the samples of epoch e are taken in the order of a
/// Fisher–Yates permutation drawn from xoshiro256** seeded with SplitMix64 of (seed, e) (<see cref="GaussianRng"/>),
/// else in data order. The batches are a pure function of k, so a resumed run sees the same ones.
/// </summary>
public sealed class BatchPlan
{
    public int Count { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }

    /// <summary>⌈n/B⌉.</summary>
    public int StepsPerEpoch { get; }

    public bool IsFullBatch => BatchSize == Count;

    private int[] order = [];
    private int orderEpoch = -1;

    public BatchPlan(int count, int? batchSize = null, bool shuffle = true, ulong seed = 0)
    {
        int b = batchSize ?? count;
        if (b < 1 || b > count) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {b}: must be between 1 and n = {count}");
        Count = count; BatchSize = b; Shuffle = shuffle; Seed = seed;
        StepsPerEpoch = (count + b - 1) / b;
    }

    /// <summary>The epoch step k belongs to (0-based).</summary>
    public int Epoch(long step) => (int)(step / StepsPerEpoch);

    /// <summary>The sample indices of step k (for minibatches; a full batch is the whole set in order).</summary>
    public ReadOnlySpan<int> Batch(long step)
    {
        int epoch = Epoch(step), within = (int)(step % StepsPerEpoch);
        if (orderEpoch != epoch) { order = Order(epoch); orderEpoch = epoch; }
        int start = within * BatchSize;
        return order.AsSpan(start, Math.Min(BatchSize, Count - start));
    }

    /// <summary>The order of epoch e's samples.</summary>
    public int[] Order(int epoch)
    {
        var o = Enumerable.Range(0, Count).ToArray();
        if (!Shuffle) return o;
        var rng = new GaussianRng(Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)));
        for (int i = Count - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));   // modulo bias < (i+1)/2^64: negligible
            (o[i], o[j]) = (o[j], o[i]);
        }
        return o;
    }
}
