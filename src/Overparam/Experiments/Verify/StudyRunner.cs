namespace Overparam.Experiments.Verify;

/// <summary>One finished cell of a study: what ran, how it ended, and its metrics.</summary>
public sealed record CellResult(string Arch, int Depth, int Width, int Seed, RunOutcome Outcome, MetricsTable Metrics, string Folder);

/// <summary>Overall progress of a study: cells done, total, and the cell now running.</summary>
public sealed record StudyProgress(int Done, int Total, string Current);

/// <summary>
/// Runs every cell of a study into DIR/runs/ARCH-H{h}-m{m}-s{seed}. Unless the study keeps weights, each run's
/// init.safetensors and final.safetensors are deleted once it has finished: the report reads metrics.csv, summary.json and
/// config.json, and data.safetensors with the seeds in config.json regenerates the weights.
/// </summary>
public static class StudyRunner
{
    public static List<CellResult> Run(Study study, string dir, IProgress<StudyProgress>? progress, CancellationToken cancel)
    {
        var cells = study.Cells().ToList();
        var results = new List<CellResult>();
        for (int i = 0; i < cells.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var (arch, depth, width, seed) = cells[i];
            string label = $"{arch}-H{depth}-m{width}-s{seed}";
            progress?.Report(new StudyProgress(i, cells.Count, label));
            string folder = Path.Combine(dir, "runs", label);
            var outcome = RunExecutor.Execute(study.Cell(arch, depth, width, seed), folder, null, cancel);
            if (!study.KeepWeights)
                foreach (var weights in new[] { "init.safetensors", "final.safetensors" }) File.Delete(Path.Combine(folder, weights));
            results.Add(new CellResult(arch, depth, width, seed, outcome, MetricsTable.Read(Path.Combine(folder, "metrics.csv")), folder));
        }
        progress?.Report(new StudyProgress(cells.Count, cells.Count, "done"));
        return results;
    }
}
