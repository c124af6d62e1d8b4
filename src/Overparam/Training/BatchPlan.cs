using Overparam.Numerics;

namespace Overparam.Training;

/// <summary>
/// Which samples step k uses. A full batch (size n) is the whole set in its order, every step — the paper's gradient
/// descent, with no copy. Minibatches of size B split each epoch into ⌈n/B⌉ steps (the last one smaller, as PyTorch's
/// DataLoader with drop_last=False): with <see cref="Shuffle"/> the samples of epoch e are taken in the order of a
/// Fisher–Yates permutation drawn from xoshiro256** seeded with SplitMix64 of (seed, e) (<see cref="GaussianRng"/>),
/// else in data order. The batches are a pure function of k, so a resumed run sees the same ones.
/// <para>
/// With y &gt; 1 <see cref="Replicas"/> (Replicated-SGD) every replica a reads its own stream and step k's batch is the
/// y replicas' batches of B rows one after the other (y·r rows for a last batch of r): replica 0's stream is the plan's
/// without replicas; with <see cref="Shuffle"/> replica a's epoch order is a permutation seeded by (seed, e, a), without
/// it the data order rotated to start at sample a·⌊n/y⌋ (so that replicas do not see the same batches).
/// </para>
/// </summary>
public sealed class BatchPlan
{
    public int Count { get; }
    /// <summary>B, the samples per step (per replica).</summary>
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    /// <summary>y, the batch streams read side by side (1 but for Replicated-SGD).</summary>
    public int Replicas { get; }

    /// <summary>⌈n/B⌉.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>The samples of the smallest batch (per replica): the last one of an epoch, n − (⌈n/B⌉ − 1)·B.</summary>
    public int SmallestBatch => Count - (StepsPerEpoch - 1) * BatchSize;

    /// <summary>The rows of a full step, y·B.</summary>
    public int RowsPerStep => Replicas * BatchSize;

    public bool IsFullBatch => BatchSize == Count && Replicas == 1;

    private int[][] orders = [];
    private int orderEpoch = -1;
    private readonly int[] rows;

    public BatchPlan(int count, int? batchSize = null, bool shuffle = true, ulong seed = 0, int replicas = 1)
    {
        int b = batchSize ?? count;
        if (b < 1 || b > count) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {b}: must be between 1 and n = {count}");
        if (replicas < 1) throw new ArgumentOutOfRangeException(nameof(replicas), $"{replicas} replicas: must be at least 1");
        Count = count; BatchSize = b; Shuffle = shuffle; Seed = seed; Replicas = replicas;
        StepsPerEpoch = (count + b - 1) / b;
        rows = replicas > 1 ? new int[replicas * b] : [];
    }

    /// <summary>The epoch step k belongs to (0-based).</summary>
    public int Epoch(long step) => (int)(step / StepsPerEpoch);

    /// <summary>The sample indices of step k (for minibatches; a full batch is the whole set in order).</summary>
    public ReadOnlySpan<int> Batch(long step)
    {
        int epoch = Epoch(step), within = (int)(step % StepsPerEpoch);
        if (orderEpoch != epoch) { orders = Enumerable.Range(0, Replicas).Select(a => Order(epoch, a)).ToArray(); orderEpoch = epoch; }
        int start = within * BatchSize, length = Math.Min(BatchSize, Count - start);
        if (Replicas == 1) return orders[0].AsSpan(start, length);
        for (int a = 0; a < Replicas; a++) orders[a].AsSpan(start, length).CopyTo(rows.AsSpan(a * length));
        return rows.AsSpan(0, Replicas * length);
    }

    /// <summary>The order of epoch e's samples for replica <paramref name="replica"/>.</summary>
    public int[] Order(int epoch, int replica = 0)
    {
        var o = Enumerable.Range(0, Count).ToArray();
        if (!Shuffle)
        {
            int offset = replica * (Count / Replicas);
            return offset == 0 ? o : [.. o[offset..], .. o[..offset]];
        }
        var rng = new GaussianRng(Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)) ^ (0xD1B54A32D192ED03UL * (ulong)replica));
        for (int i = Count - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));   // modulo bias < (i+1)/2^64: negligible
            (o[i], o[j]) = (o[j], o[i]);
        }
        return o;
    }
}
