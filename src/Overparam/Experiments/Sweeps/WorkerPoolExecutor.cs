using System.Diagnostics;
using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// Runs cells in <c>jobs</c> worker processes (see <see cref="WorkerProtocol"/>), handing the next cell to whichever
/// worker is free. This process is the only writer of the results. A worker that dies mid-cell has that cell recorded
/// as failed and is replaced.
/// </summary>
/// <param name="jobs">Number of worker processes.</param>
/// <param name="startInfo">How to start one worker (the same executable with <c>sweep worker --threads T</c>); its
/// standard input and output are redirected here.</param>
public sealed class WorkerPoolExecutor(int jobs, Func<ProcessStartInfo> startInfo) : ICellExecutor
{
    public void Run(IReadOnlyList<SweepCell> cells, CellFinished finished, CancellationToken cancel, Func<SweepCell, bool>? claim = null)
    {
        int next = -1;
        var threads = Enumerable.Range(0, Math.Min(jobs, cells.Count)).Select(w => new Thread(() =>
        {
            Process? process = null;
            try
            {
                int i;
                while (!cancel.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < cells.Count)
                {
                    if (claim is not null && !claim(cells[i])) continue;
                    process ??= Start();
                    string worker = $"worker-{w}:pid:{process.Id}";
                    var outcome = Exchange(process, cells[i], cancel);
                    if (outcome is null)   // the worker died: blame this cell, start a fresh worker for the next
                    {
                        process.WaitForExit(5000);
                        string code = process.HasExited ? process.ExitCode.ToString() : "?";
                        process.Dispose();
                        process = null;
                        if (cancel.IsCancellationRequested) return;
                        outcome = CellOutcomes.Failed(TrainingStatus.Failed, $"worker process exited (code {code}) while running this cell");
                    }
                    finished(cells[i], outcome, worker);
                }
            }
            finally
            {
                if (process is not null) Stop(process, cancel.IsCancellationRequested);
            }
        }) { IsBackground = true, Name = $"sweep worker {w}" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
    }

    private Process Start()
    {
        var psi = startInfo();
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start worker {psi.FileName}");
    }

    /// <summary>Sends a cell, waits for its outcome; null when the worker's output ends first.</summary>
    private static RunOutcome? Exchange(Process process, SweepCell cell, CancellationToken cancel)
    {
        try
        {
            process.StandardInput.WriteLine(cell.Json);
            process.StandardInput.Flush();
            using var reg = cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
            while (process.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith(WorkerProtocol.OutcomePrefix, StringComparison.Ordinal))
                    return WorkerProtocol.ParseOutcome(line);
        }
        catch (IOException) { }
        return null;
    }

    private static void Stop(Process process, bool kill)
    {
        try
        {
            if (kill) process.Kill(entireProcessTree: true);
            else
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException) { }
        finally { process.Dispose(); }
    }
}
