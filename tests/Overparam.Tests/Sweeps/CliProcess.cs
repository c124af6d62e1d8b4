using System.Diagnostics;

namespace Overparam.Tests.Sweeps;

/// <summary>Runs the built CLI (Overparam.Cli.dll, copied next to the test assembly) as a child process: `dotnet Overparam.Cli.dll ARGS`.</summary>
public static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Overparam.Cli.dll");

    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs to completion (or fails the test after the timeout): exit code, standard output, standard error.</summary>
    public static (int Exit, string Out, string Err) Run(string workingDirectory, params string[] args)
    {
        using var p = Process.Start(StartInfo(workingDirectory, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail($"overparam {string.Join(' ', args)} timed out"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
