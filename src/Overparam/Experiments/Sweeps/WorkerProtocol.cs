using System.Text.Json;
using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// The line protocol between a sweep and its worker processes (<c>overparam sweep worker</c>): the parent writes one
/// canonical RunSpec JSON per line on the worker's standard input; the worker answers each with one line
/// <c>@outcome {RunOutcome JSON}</c> on standard output. End of input ends the worker. Anything else a worker prints
/// goes to standard error.
/// </summary>
public static class WorkerProtocol
{
    public const string OutcomePrefix = "@outcome ";

    private static readonly JsonSerializerOptions Compact = new(RunSpec.Json) { WriteIndented = false, Converters = { new TrainingStatusText.JsonConverter() } };

    public static string FormatOutcome(RunOutcome outcome) => OutcomePrefix + JsonSerializer.Serialize(outcome, Compact);

    public static RunOutcome ParseOutcome(string line) =>
        JsonSerializer.Deserialize<RunOutcome>(line[OutcomePrefix.Length..], Compact) ?? throw new JsonException("null outcome");

    /// <summary>The worker's loop: read a spec, run it, answer, until end of input or cancellation.</summary>
    public static void Serve(TextReader input, TextWriter output, ICellRunner runner, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested && input.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            RunOutcome outcome;
            try { outcome = CellOutcomes.SafeRun(runner, CellIdentity.Parse(line), cancel); }
            catch (JsonException e) { outcome = CellOutcomes.Failed(TrainingStatus.Failed, $"worker could not read the cell: {e.Message}"); }
            output.WriteLine(FormatOutcome(outcome));
            output.Flush();
        }
    }
}
