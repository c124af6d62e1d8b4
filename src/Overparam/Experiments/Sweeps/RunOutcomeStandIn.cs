namespace Overparam.Experiments;

// TEMPORARY: the lead's RunOutcome (same shape) until RunExecutor lands on main; delete this file at the merge.
/// <summary>How one training run ended: status, steps, losses, wall-clock, η, λ₀ and the last probe values.</summary>
public sealed record RunOutcome(string Status, int Steps, double InitialLoss, double FinalLoss, double Seconds, double Eta,
    double? Lambda0, IReadOnlyDictionary<string, double> Final, string? Message);
