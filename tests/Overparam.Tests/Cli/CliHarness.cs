using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Overparam.Tests.Cli;

/// <summary>Tests that redirect Console run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}

/// <summary>The result of one `overparam` invocation.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
}

/// <summary>Runs the CLI in-process (Program.Main with Console.Out/Error captured) or as a child process.</summary>
public static class CliHarness
{
    private static readonly object Gate = new();

    public static CliResult Run(params string[] args)
    {
        lock (Gate)
        {
            var oldOut = Console.Out;
            var oldErr = Console.Error;
            var o = new StringWriter(CultureInfo.InvariantCulture);
            var e = new StringWriter(CultureInfo.InvariantCulture);
            Console.SetOut(o);
            Console.SetError(e);
            int code;
            try { code = Overparam.Cli.Program.Main(args); }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
            return new CliResult(code, o.ToString(), e.ToString());
        }
    }

    /// <summary>Overparam.Cli.dll next to the test assembly (the test project references the CLI project).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Overparam.Cli.dll");

    /// <summary>Starts `dotnet Overparam.Cli.dll ARGS` with SIGINT reset to its default disposition (a test host started in
    /// the background may have inherited SIGINT as ignored, and .NET keeps an ignored SIGINT ignored).</summary>
    public static Process Start(params string[] args) => StartIn(null, args);

    /// <summary><see cref="Start"/> in the working directory <paramref name="workingDirectory"/> (null: this process').</summary>
    public static Process StartIn(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", CliDll }.Concat(args)) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Data rows of a metrics.csv as dictionaries (column → text).</summary>
    public static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l =>
        {
            var f = l.Split(',');
            Assert.Equal(header.Length, f.Length);
            return header.Select((h, i) => (h, f[i])).ToDictionary(t => t.h, t => t.Item2);
        }).ToList();
    }

    public static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
