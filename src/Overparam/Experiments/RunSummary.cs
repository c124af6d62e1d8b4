using Overparam.Training;

namespace Overparam.Experiments;

/// <summary>
/// A run folder's summary.json read back: how the run ended (<see cref="TrainingStatus.Running"/> while it is in
/// progress), its losses (NaN where the file has none), η and the last probe values (empty without probes).
/// </summary>
public sealed record RunSummary(TrainingStatus Status, int Steps, double InitialLoss, double FinalLoss, double Seconds, double Eta,
    int? DivergedAtStep, string? Message, IReadOnlyDictionary<string, double> FinalProbes);
