using System.Text.Json;
using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// One finished cell as the result store keeps it. Losses are the run's L(θ(0)) and its last finite loss; non-finite
/// values are stored as NULL and read back as NaN.
/// </summary>
public sealed record CellRecord(
    string Key,
    int CellIndex,
    string SpecJson,
    TrainingStatus Status,
    string? Reason,
    int Steps,
    double InitialLoss,
    double FinalLoss,
    double Seconds,
    double Eta,
    double? Lambda0,
    IReadOnlyDictionary<string, double> Final,
    DateTimeOffset FinishedAt,
    string Worker)
{
    public RunSpec Spec => CellIdentity.Parse(SpecJson);

    /// <summary>Diverged and failed cells are finished too (their reason is kept); only unrecorded cells are redone.</summary>
    public bool Succeeded => Status == TrainingStatus.Converged;

    public static CellRecord From(SweepCell cell, RunOutcome outcome, string worker) => new(
        cell.Key, cell.Index, cell.Json, outcome.Status, outcome.Message, outcome.Steps, outcome.InitialLoss,
        outcome.FinalLoss, outcome.Seconds, outcome.Eta, outcome.Lambda0, outcome.Final, DateTimeOffset.UtcNow, worker);

    private static readonly JsonSerializerOptions Compact = new(RunSpec.Json) { WriteIndented = false };

    public static string FinalJson(IReadOnlyDictionary<string, double> final) =>
        JsonSerializer.Serialize(new SortedDictionary<string, double>(final.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal), Compact);

    public static IReadOnlyDictionary<string, double> ParseFinal(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, double>() : JsonSerializer.Deserialize<Dictionary<string, double>>(json, Compact)!;
}
