using System.CommandLine;
using Overparam.Experiments;
using Overparam.Numerics;

namespace Overparam.Cli.Commands;

/// <summary>Options every computing command takes, and the exit-code convention (0 ok, 1 run failed, 2 bad input).</summary>
public static class CommonOptions
{
    public static Option<int> Threads() => new("--threads") { Description = "Threads for BLAS and element-wise work", DefaultValueFactory = _ => Environment.ProcessorCount };
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress output" };

    public static void ApplyThreads(int threads)
    {
        if (threads < 1) throw new RunSpecException($"--threads {threads}: must be at least 1");
        LinearAlgebra.Backend.Threads = threads;
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

    /// <summary>A token cancelled by Ctrl-C (the first press stops the run cleanly).</summary>
    public static CancellationToken CtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        return cts.Token;
    }
}
