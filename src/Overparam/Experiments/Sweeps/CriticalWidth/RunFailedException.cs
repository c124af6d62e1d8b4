namespace Overparam.Experiments.Sweeps.CriticalWidth;

/// <summary>
/// A run of the critical-width search failed (an error, not a run that missed the target): the width it was at cannot
/// be judged, so the search stops. <see cref="BadInput"/> when the run refused its settings (the cell runner's
/// "bad input: " outcomes), which no rerun will change.
/// </summary>
public sealed class RunFailedException(string message, bool badInput) : Exception(message)
{
    public bool BadInput { get; } = badInput;
}
