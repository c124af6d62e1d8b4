namespace Overparam.Experiments;

/// <summary>
/// "Every k epochs" for what a run measures besides training (evaluation, flatness probes): the first step, the last,
/// and the first step of every k-th epoch (every k steps for full-batch runs, whose epochs are steps). An optimizer
/// that reads several batches per step (Entropy-SGD) may pass over epochs; the step that crosses a multiple of k is
/// measured.
/// </summary>
/// <param name="lastEpoch">The epoch of the last step before this run's first (a resumed run's), else −1.</param>
internal sealed class EpochCadence(int every, int lastEpoch = -1)
{
    /// <summary>Whether the step of epoch <paramref name="epoch"/> is measured (call once per step, in order).</summary>
    public bool Due(int epoch, bool isLast)
    {
        bool due = isLast || lastEpoch < 0 || epoch / every > lastEpoch / every;
        lastEpoch = epoch;
        return due;
    }
}
