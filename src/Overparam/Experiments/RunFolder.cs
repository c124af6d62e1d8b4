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
    private FileStream? metrics;
    private string[] columns = [];

    private RunFolder(string path) { Path = path; }

    /// <summary>
    /// Claims the folder for this run (<see cref="OutputFolder.Claim"/>: config.json is created exclusively, so a second
    /// writer, even one started in the same instant, is refused) and opens it. With <paramref name="defaultName"/> a
    /// taken folder is not an error: the run goes to the first free path-2, path-3, … (<see cref="Path"/> says which).
    /// </summary>
    public static RunFolder Create(string path, bool defaultName = false) =>
        new(OutputFolder.Claim(path, "config.json", defaultName, "--out", "a run"));

    /// <summary>
    /// Reopens the folder of a run resumed from its checkpoint at <paramref name="nextStep"/>: metrics.csv keeps its
    /// header and the rows of the steps before it (rows written after the checkpoint, before the run was killed, are
    /// dropped), rewritten atomically, and is appended to from there.
    /// </summary>
    public static RunFolder Resume(string path, IReadOnlyList<string> header, int nextStep)
    {
        var folder = new RunFolder(path);
        string file = folder.File_("metrics.csv");
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        if (lines.Length == 0 || lines[0] != string.Join(",", header))
            throw new RunSpecException($"{file}: its columns are not those of this run's configuration; the folder does not match its config.json");
        var kept = lines.Take(1).Concat(lines.Skip(1).TakeWhile(l => l.Length > 0 && int.TryParse(l.Split(',')[0], out int k) && k < nextStep));
        AtomicFile.WriteAllText(file, string.Join("\n", kept) + "\n");
        folder.columns = header.ToArray();
        folder.metrics = Metrics(file, FileMode.Append);
        return folder;
    }

    /// <summary>Opens a run folder for reading (spec, resolved configuration, data, weights, metrics, summary).</summary>
    public static SavedRun Open(string path) => SavedRun.Open(path);

    private string File_(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Writes a JSON file atomically. On a full disk, when the file exists, it is rewritten in place instead, reusing its
    /// own space, so that summary.json can still say how the run ended (a rewrite in place is not atomic, but a full disk
    /// leaves no room for a second copy).
    /// </summary>
    public void WriteJson(string name, JsonNode node)
    {
        string file = File_(name), text = node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        try { AtomicFile.WriteAllText(file, text); }
        catch (IOException e) when (DiskFull(e) && File.Exists(file))
        {
            File.WriteAllText(file, text, new System.Text.UTF8Encoding(false));
        }
    }

    /// <summary>Whether an I/O error is ENOSPC, no space left on the device.</summary>
    public static bool DiskFull(IOException e) => (e.HResult & 0xFFFF) == 28 || e.Message.Contains("No space left on device", StringComparison.Ordinal);

    /// <summary>data.safetensors: X [n, input shape …] and y [n] as trained on, and X_test, y_test when there is a test set.</summary>
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

    public void WriteWeights(string name, IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Write(File_(name), tensors, metadata);

    /// <summary>Starts metrics.csv with the given columns (the first three are step, loss, seconds).</summary>
    public void StartMetrics(IReadOnlyList<string> header)
    {
        columns = header.ToArray();
        metrics = Metrics(File_("metrics.csv"), FileMode.Create);
        WriteLine(string.Join(",", columns));
    }

    /// <summary>Appends one row; missing values (not probed at this step) are left empty.</summary>
    public void AppendMetrics(IReadOnlyDictionary<string, double> row)
    {
        if (metrics is null) return;
        WriteLine(string.Join(",", columns.Select(c => row.TryGetValue(c, out var v) ? ReportFormat.RoundTrip(v) : "")));
    }

    // Unbuffered, so that every row reaches the file when it is written and a failed write leaves nothing pending.
    private static FileStream Metrics(string file, FileMode mode) => new(file, mode, FileAccess.Write, FileShare.Read, 1);

    /// <summary>One whole line or none: a write that fails (a full disk) is cut back to the end of the previous row.</summary>
    private void WriteLine(string line)
    {
        var bytes = new System.Text.UTF8Encoding(false).GetBytes(line + "\n");
        long end = metrics!.Length;
        try { metrics.Write(bytes); }
        catch (IOException)
        {
            try { metrics.SetLength(end); metrics.Position = end; } catch (IOException) { }
            throw;
        }
    }

    public void Dispose() => metrics?.Dispose();
}
