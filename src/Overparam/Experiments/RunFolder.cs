using System.Text.Json;
using System.Text.Json.Nodes;
using Overparam.Data;
using Overparam.IO;
using Overparam.Reports;

namespace Overparam.Experiments;

/// <summary>
/// A run's output folder: config.json (resolved configuration), data.safetensors (X, y as trained on, and X_test,
/// y_test as evaluated on when there is a test set),
/// init.safetensors and final.safetensors (W1 … WH, a), metrics.csv (one row per step, flushed as it goes) and
/// summary.json (status, losses, steps, time; "running" until the run ends). Every file but metrics.csv is written
/// atomically, so an interrupted run leaves a consistent folder.
/// </summary>
public sealed class RunFolder : IDisposable
{
    public string Path { get; }
    private StreamWriter? metrics;
    private string[] columns = [];

    private RunFolder(string path) { Path = path; }

    /// <summary>Creates the folder; refuses one that already holds a run.</summary>
    public static RunFolder Create(string path)
    {
        if (File.Exists(path)) throw new RunSpecException($"--out {path}: is a file, not a folder");
        if (File.Exists(System.IO.Path.Combine(path, "summary.json")))
            throw new RunSpecException($"--out {path}: already holds a run (summary.json); choose another folder or remove it");
        Directory.CreateDirectory(path);
        return new RunFolder(path);
    }

    private string File_(string name) => System.IO.Path.Combine(Path, name);

    public void WriteJson(string name, JsonNode node) =>
        AtomicFile.WriteAllText(File_(name), node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>data.safetensors: X [n, input shape] and y [n], and X_test, y_test when <paramref name="test"/> is given.</summary>
    public void WriteData(Dataset data, Dataset? test = null) => SafeTensors.Write(File_("data.safetensors"),
    [
        Tensor.F64("X", [data.Count, .. data.InputShape], data.X.Data),
        Tensor.F64("y", [data.Count], data.Y),
        .. test is null ? Array.Empty<Tensor>() :
        [
            Tensor.F64("X_test", [test.Count, .. test.InputShape], test.X.Data),
            Tensor.F64("y_test", [test.Count], test.Y),
        ],
    ]);

    public void WriteWeights(string name, IReadOnlyList<Tensor> tensors) => SafeTensors.Write(File_(name), tensors);

    /// <summary>Starts metrics.csv with the given columns (the first three are step, loss, seconds).</summary>
    public void StartMetrics(IReadOnlyList<string> header)
    {
        columns = header.ToArray();
        metrics = new StreamWriter(File_("metrics.csv"), false, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        metrics.WriteLine(string.Join(",", columns));
    }

    /// <summary>Appends one row; missing values (not probed at this step) are left empty.</summary>
    public void AppendMetrics(IReadOnlyDictionary<string, double> row)
    {
        if (metrics is null) return;
        metrics.WriteLine(string.Join(",", columns.Select(c => row.TryGetValue(c, out var v) ? ReportFormat.RoundTrip(v) : "")));
    }

    public void Dispose() => metrics?.Dispose();
}
