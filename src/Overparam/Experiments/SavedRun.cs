using System.Text.Json;
using System.Text.Json.Nodes;
using Overparam.Data;
using Overparam.Experiments.Verify;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Training;

namespace Overparam.Experiments;

/// <summary>
/// A run folder opened for reading (<see cref="RunFolder.Open"/>; the files are described at <see cref="RunFolder"/>).
/// Opening reads config.json; every other file is read when asked for, so a run still in progress (no
/// final.safetensors yet) opens too. A missing or unreadable file is a <see cref="RunSpecException"/> naming it.
/// </summary>
public sealed class SavedRun
{
    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The specification the run was started from (config.json "spec").</summary>
    public RunSpec Spec { get; }

    /// <summary>What the run resolved it to (config.json "resolved": architecture, parameters, n, η, λ₀, warnings …).</summary>
    public JsonObject Resolved { get; }

    private SavedRun(string path, RunSpec spec, JsonObject resolved)
    {
        Path = path;
        Spec = spec;
        Resolved = resolved;
    }

    internal static SavedRun Open(string path)
    {
        string file = System.IO.Path.Combine(path, "config.json");
        if (!File.Exists(file)) throw new RunSpecException($"{path}: no config.json (not a run folder)");
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new JsonException("not a JSON object");
            var spec = config["spec"] as JsonObject ?? throw new JsonException("no \"spec\" object");
            var resolved = config["resolved"] as JsonObject ?? throw new JsonException("no \"resolved\" object");
            return new SavedRun(path, spec.Deserialize<RunSpec>(RunSpec.Json) ?? throw new JsonException("\"spec\" is null"), resolved);
        }
        catch (JsonException e) { throw new RunSpecException($"{file}: not a run configuration (corrupt or edited): {e.Message}", e); }
    }

    /// <summary>The data the run trained on (data.safetensors: X [n, input shape …] and y [n]).</summary>
    public Dataset Data()
    {
        string file = File_("data.safetensors");
        var tensors = Tensors(file);
        if (tensors.TryGetValue("X", out var xs) && tensors.TryGetValue("y", out var ys) && xs.Shape.Length >= 2 && ys.Shape.Length == 1 && xs.Shape[0] != ys.Shape[0])
            throw new RunSpecException($"{file}: X holds {xs.Shape[0]} samples and y {ys.Shape[0]} labels; the counts must match");
        if (!tensors.TryGetValue("X", out var x) || !tensors.TryGetValue("y", out var y)
            || x.Shape.Length < 2 || y.Shape.Length != 1 || y.Shape[0] != x.Shape[0])
            throw new RunSpecException($"{file}: expected tensors X [n, ...] and y [n]");
        int[] inputShape = x.Shape[1..];
        return new Dataset(new Matrix<double>(x.Shape[0], inputShape.Aggregate(1, (p, s) => p * s), x.AsDoubles()), y.AsDoubles(), inputShape, file);
    }

    /// <summary>The data the run trained on and, when it had one, its test set (X_test, y_test).</summary>
    public (Dataset Train, Dataset? Test) DataSplit()
    {
        var train = Data();
        string file = File_("data.safetensors");
        var tensors = Tensors(file);
        if (!tensors.TryGetValue("X_test", out var x) || !tensors.TryGetValue("y_test", out var y)) return (train, null);
        if (x.Shape.Length < 2 || y.Shape.Length != 1 || y.Shape[0] != x.Shape[0])
            throw new RunSpecException($"{file}: expected tensors X_test [n_test, ...] and y_test [n_test]");
        int[] inputShape = x.Shape[1..];
        return (train, new Dataset(new Matrix<double>(x.Shape[0], inputShape.Aggregate(1, (p, s) => p * s), x.AsDoubles()), y.AsDoubles(), inputShape, file));
    }

    /// <summary>The parameters at initialization (init.safetensors: W1 … WH, a).</summary>
    public IReadOnlyDictionary<string, Tensor> InitWeights() => Tensors(File_("init.safetensors"));

    /// <summary>The parameters when the run ended (final.safetensors; absent while the run is in progress).</summary>
    public IReadOnlyDictionary<string, Tensor> FinalWeights() => Tensors(File_("final.safetensors"));

    /// <summary>
    /// Weights by name: init, final, or replica-K (replica K of a Replicated-SGD run, replica-K.safetensors, when it ended);
    /// a name that is none of them, or a file the folder does not have, is a <see cref="RunSpecException"/>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Weights(string which)
    {
        bool replica = which.StartsWith("replica-", StringComparison.Ordinal) && which.Length > 8 && which[8..].All(char.IsAsciiDigit);
        if (which is not ("init" or "final") && !replica) throw new RunSpecException($"--weights {which}: expected init, final or replica-K");
        string file = File_(which + ".safetensors");
        if (File.Exists(file)) return Tensors(file);
        int replicas = Directory.Exists(Path) ? Directory.GetFiles(Path, "replica-*.safetensors").Length : 0;
        string why = !replica ? (which == "final" ? $" ({NoFinalWeights()}); use --weights init, or train the run to its end" : "")
            : replicas == 0 ? " (only replicated-sgd runs keep replicas)" : $" (it has replica-0 … replica-{replicas - 1})";
        throw new RunSpecException($"--weights {which}: {Path} has no {which}.safetensors{why}");
    }

    /// <summary>Why a run folder has no final.safetensors, from its summary.json.</summary>
    private string NoFinalWeights()
    {
        if (!File.Exists(File_("summary.json"))) return "and no summary.json: the run never started training";
        var summary = Summary();
        return summary.Status switch
        {
            TrainingStatus.Running => "summary.json says the run is still running: it is in progress, or its process was killed before it could end",
            TrainingStatus.Failed => $"the run failed: {summary.Message}",
            TrainingStatus.Diverged => "the run diverged and its last weights were not finite",
            var other => $"summary.json says {TrainingStatusText.Name(other)}",
        };
    }

    /// <summary>metrics.csv: one row per step (step, loss, seconds, then the probe columns when probed).</summary>
    public MetricsTable Metrics()
    {
        string file = File_("metrics.csv");
        if (!File.Exists(file)) throw new RunSpecException($"{file}: missing");
        try { return MetricsTable.Read(file); }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)   // the last: an empty file
        {
            throw new RunSpecException($"{file}: not a metrics table ({e.Message})", e);
        }
    }

    /// <summary>summary.json.</summary>
    public RunSummary Summary()
    {
        string file = File_("summary.json");
        if (!File.Exists(file)) throw new RunSpecException($"{file}: missing");
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new JsonException("not a JSON object");
            JsonNode Required(string name) => o[name] ?? throw new JsonException($"no \"{name}\"");
            string status = (string)Required("status")!;
            return new RunSummary(
                TrainingStatusText.TryParse(status) ?? throw new JsonException($"unknown status \"{status}\""),
                (int)Required("steps"), (double?)o["initial_loss"] ?? double.NaN, (double?)o["final_loss"] ?? double.NaN,
                (double)Required("seconds"), (double)Required("eta"), (int?)o["diverged_at_step"], (string?)o["message"],
                (o["final_probes"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => (double)kv.Value!) ?? new Dictionary<string, double>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)   // the last two: a field of the wrong type
        {
            throw new RunSpecException($"{file}: not a run summary ({e.Message})", e);
        }
    }

    private string File_(string name) => System.IO.Path.Combine(Path, name);

    private static Dictionary<string, Tensor> Tensors(string file)
    {
        if (!File.Exists(file)) throw new RunSpecException($"{file}: missing");
        try { return SafeTensors.Read(file); }
        catch (Exception e) when (e is IOException or InvalidDataException) { throw new RunSpecException($"{file}: {e.Message}", e); }
    }
}
