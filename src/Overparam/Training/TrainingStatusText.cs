using System.Text.Json;
using System.Text.Json.Serialization;

namespace Overparam.Training;

/// <summary>
/// The text form of a <see cref="TrainingStatus"/>, the one written to summary.json, results.db, worker protocol lines,
/// CSV files and the console: running, converged, budget_exhausted, diverged, stopped, failed.
/// </summary>
public static class TrainingStatusText
{
    public static string Name(TrainingStatus status) => status switch
    {
        TrainingStatus.Running => "running",
        TrainingStatus.Converged => "converged",
        TrainingStatus.BudgetExhausted => "budget_exhausted",
        TrainingStatus.Diverged => "diverged",
        TrainingStatus.Stopped => "stopped",
        TrainingStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The status named <paramref name="text"/>; null for any other text.</summary>
    public static TrainingStatus? TryParse(string? text) => text switch
    {
        "running" => TrainingStatus.Running,
        "converged" => TrainingStatus.Converged,
        "budget_exhausted" => TrainingStatus.BudgetExhausted,
        "diverged" => TrainingStatus.Diverged,
        "stopped" => TrainingStatus.Stopped,
        "failed" => TrainingStatus.Failed,
        _ => null,
    };

    /// <summary>Reads and writes a status as its name in JSON.</summary>
    public sealed class JsonConverter : JsonConverter<TrainingStatus>
    {
        public override TrainingStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? text = reader.GetString();
            return TryParse(text) ?? throw new JsonException($"unknown status \"{text}\"");
        }

        public override void Write(Utf8JsonWriter writer, TrainingStatus value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Name(value));
    }
}
