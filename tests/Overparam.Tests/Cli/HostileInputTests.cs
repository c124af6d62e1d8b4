using System.CommandLine;
using Xunit.Abstractions;

namespace Overparam.Tests.Cli;

/// <summary>
/// Issue 11's hostile inputs (<see cref="HostileInputCases"/>): each gives its exit code and a message naming what is
/// wrong, never a stack trace, and bad input leaves no run folder behind. In-process by default; with
/// OVERPARAM_HOSTILE_PROCESS=1 (tests/hostile-inputs) each case runs the built CLI as a child process and its exit code
/// and first line of standard error are printed.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class HostileInputTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names() => new(HostileInputCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void GivesItsExitCodeAndMessage(string name)
    {
        var c = HostileInputCases.All.Single(x => x.Name == name);
        using var tmp = new TempDirectory();
        string dir = tmp.Path;
        c.Setup?.Invoke(dir);
        bool hadRun = Directory.Exists(Path.Combine(dir, "run"));
        var args = c.Args.Select(a => a.Replace("{dir}", dir)).ToArray();
        var r = Environment.GetEnvironmentVariable("OVERPARAM_HOSTILE_PROCESS") == "1" ? Process(args) : CliHarness.Run(args);
        output.WriteLine($"{c.Name}: exit {r.ExitCode}: {FirstLine(r.ExitCode == 0 ? r.Out + r.Err : r.Err)}");

        Assert.True(r.ExitCode == c.Exit, $"{c.Name}: expected exit {c.Exit}\n{r}");
        string fragment = c.Fragment.Replace("{dir}", dir);
        Assert.True((r.Err + (c.Exit == 0 ? r.Out : "")).Contains(fragment, StringComparison.Ordinal), $"{c.Name}: missing \"{fragment}\"\n{r}");
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Unhandled exception", r.Err);
        if (c.Exit == 2 && !hadRun) Assert.False(Directory.Exists(Path.Combine(dir, "run")), $"{c.Name}: a run folder was left behind\n{r}");
    }

    [Fact]
    public void ADamagedResultStoreIsLeftUntouched()
    {
        var c = HostileInputCases.All.Single(x => x.Name == "damaged results.db");
        using var tmp = new TempDirectory();
        c.Setup!(tmp.Path);
        var r = CliHarness.Run(c.Args.Select(a => a.Replace("{dir}", tmp.Path)).ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(HostileInputCases.Garbage, File.ReadAllBytes(Path.Combine(tmp.Path, "sweep", "results.db")));
    }

    [Fact]
    public void AnUnexpectedError_IsOneLineAndExit1_WithTheTraceOnlyUnderVerbose()
    {
        static Command Root()
        {
            var root = new Command("overparam");
            root.Options.Add(new Option<bool>(Overparam.Cli.Program.VerboseName) { Recursive = true });
            var boom = new Command("boom");
            boom.SetAction(_ => Fail());
            root.Subcommands.Add(boom);
            return root;
        }
        var plain = Capture(() => Overparam.Cli.Program.Run(Root(), ["boom"]));
        Assert.Equal(1, plain.ExitCode);
        var lines = plain.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: nobody thought of this; second line (InvalidOperationException)", lines[0]);
        Assert.DoesNotContain("   at ", plain.Err);
        Assert.Contains("--verbose", lines[1]);

        var verbose = Capture(() => Overparam.Cli.Program.Run(Root(), ["boom", "--verbose"]));
        Assert.Equal(1, verbose.ExitCode);
        Assert.StartsWith("error: nobody thought of this; second line (InvalidOperationException)", verbose.Err);
        Assert.Contains("   at ", verbose.Err);
        Assert.Contains(nameof(Fail), verbose.Err);
    }

    private static int Fail() => throw new InvalidOperationException("nobody thought of this\nsecond line");

    [Fact]
    public void TheRealCli_AcceptsVerboseOnEveryCommand()
    {
        var r = CliHarness.Run("train", "--verbose", "--steps", "abc");
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("Unrecognized", r.Err);
    }

    private static CliResult Capture(Func<int> body)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return new CliResult(body(), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    private static CliResult Process(string[] args)
    {
        using var p = CliHarness.Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
}
