using System.CommandLine;
using System.Runtime.InteropServices;
using Overparam.Experiments;
using Overparam.Numerics;

namespace Overparam.Cli.Commands;

/// <summary>Options every computing command takes, and the exit-code convention (0 ok, 1 run failed, 2 bad input).</summary>
public static class CommonOptions
{
    public static Option<int> Threads() => new("--threads") { Description = "Threads for BLAS and element-wise work", DefaultValueFactory = _ => Environment.ProcessorCount };
    public static Option<int?> BlasThreads() => new("--blas-threads") { Description = "Threads for BLAS alone (default: --threads); Entropy-SGD draws its noise on the cores BLAS leaves free" };
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress output" };

    public static void ApplyThreads(int threads, int? blasThreads = null)
    {
        if (threads < 1) throw new RunSpecException($"--threads {threads}: must be at least 1");
        if (blasThreads is < 1) throw new RunSpecException($"--blas-threads {blasThreads}: must be at least 1");
        if (blasThreads > threads) throw new RunSpecException($"--blas-threads {blasThreads}: must be at most --threads ({threads})");
        LinearAlgebra.Backend.Threads = blasThreads ?? threads;
        Chunks.Threads = threads;
    }

    /// <summary>Runs a command body, mapping bad input to exit code 2 with the message on standard error.</summary>
    public static int Guard(Func<int> body)
    {
        try { return body(); }
        catch (RunSpecException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
    }

    /// <summary>The sources <see cref="CtrlC"/> handed out; SIGTERM cancels them.</summary>
    private static readonly List<CancellationTokenSource> Stoppable = [];

    /// <summary>The one SIGTERM handler of the process (kept alive here: disposing it would unregister it).</summary>
    private static PosixSignalRegistration? termHandler;

    /// <summary>
    /// A token cancelled by Ctrl-C (SIGINT) or SIGTERM, what Slurm, `timeout` and container stops send: the first signal
    /// stops the run cleanly (status stopped, final weights and summary written); a second SIGTERM, when every run
    /// has been asked to stop already, ends the process at once as usual.
    /// </summary>
    public static CancellationToken CtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        lock (Stoppable)
        {
            Stoppable.Add(cts);
            termHandler ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerm);
        }
        return cts.Token;
    }

    private static void OnTerm(PosixSignalContext context)
    {
        lock (Stoppable)
        {
            var running = Stoppable.Where(s => !s.IsCancellationRequested).ToList();
            if (running.Count == 0) return;
            context.Cancel = true;
            foreach (var s in running) s.Cancel();
        }
    }
}
