using System.Diagnostics;
using System.Globalization;
using Overparam.Experiments.Sweeps;

namespace Overparam.Cli.Commands;

/// <summary>
/// How `sweep` and `critical-width` run their cells: one job runs them in this process, more run them in worker
/// processes (this executable re-invoked as the hidden `sweep worker`).
/// </summary>
internal static class CellExecutors
{
    /// <param name="threads">Threads per worker (--threads); default: cores / jobs.</param>
    /// <param name="runs">Where each cell writes its full run folder, or null for none.</param>
    public static ICellExecutor Create(int jobs, int? threads, string? runs)
    {
        int perWorker = threads ?? Math.Max(1, Environment.ProcessorCount / jobs);
        if (jobs > 1) return new WorkerPoolExecutor(jobs, () => WorkerStart(perWorker, runs));
        CommonOptions.ApplyThreads(perWorker);
        return new InProcessExecutor(new ExecutorCellRunner(runs, Console.Error));
    }

    /// <summary>The same executable, re-invoked as `sweep worker --threads T`.</summary>
    private static ProcessStartInfo WorkerStart(int threads, string? runs)
    {
        string exe = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo { FileName = exe, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(CellExecutors).Assembly.Location);
        foreach (string a in new[] { "sweep", "worker", "--threads", threads.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        if (runs is not null) { psi.ArgumentList.Add("--runs"); psi.ArgumentList.Add(runs); }
        return psi;
    }
}
