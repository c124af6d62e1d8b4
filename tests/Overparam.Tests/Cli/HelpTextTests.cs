namespace Overparam.Tests.Cli;

/// <summary>--help texts a cloner can follow: the command's name, usage lines, only the options a command uses.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class HelpTextTests
{
    private static string Help(params string[] command)
    {
        var r = CliHarness.Run([.. command, "--help"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Out;
    }

    /// <summary>The "Usage:" line of a help text.</summary>
    private static string Usage(string help)
    {
        var lines = help.Replace("\r\n", "\n").Split('\n');
        int i = Array.FindIndex(lines, l => l.Trim() == "Usage:");
        Assert.True(i >= 0 && i + 1 < lines.Length, help);
        return lines[i + 1].Trim();
    }

    /// <summary>The option names a help text lists (the first token of each row of its Options section).</summary>
    private static HashSet<string> Options(string help) =>
        help.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimStart())
            .Where(l => l.StartsWith("--", StringComparison.Ordinal)).Select(l => l.Split(' ', ',')[0]).ToHashSet();

    [Theory]
    [InlineData("overparam [command] [options]")]
    [InlineData("overparam train [options]", "train")]
    [InlineData("overparam kernel [options]", "kernel")]
    [InlineData("overparam sweep status <DIR> [options]", "sweep", "status")]
    public void UsageLines_NameTheCommandOverparam_HoweverItWasStarted(string usage, params string[] command)
    {
        // In-process, the executable is the test host: the name must not come from it (nor from Overparam.Cli.dll).
        string help = Help(command);
        Assert.Equal(usage, Usage(help));
        Assert.DoesNotContain("Overparam.Cli", help);
        Assert.DoesNotContain("testhost", help);
    }

    [Fact]
    public void InstalledOrRunAsTheDll_TheUsageLineSaysOverparam()
    {
        using var p = CliHarness.Start("--help");
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal("overparam [command] [options]", Usage(output));
    }

    [Theory]
    [InlineData("status", "overparam sweep status <DIR> [options]")]
    [InlineData("merge", "overparam sweep merge <OUT> <DIR>... [options]")]
    public void SweepSubcommands_DoNotAskForTheSweepsSpec(string subcommand, string usage)
    {
        string help = Help("sweep", subcommand);
        Assert.Equal(usage, Usage(help));
        Assert.DoesNotContain("<SPEC>", help);
        Assert.DoesNotContain("Sweep specification", help);
        // `sweep` itself still shows and describes SPEC.
        string sweep = Help("sweep");
        Assert.StartsWith("overparam sweep <SPEC>", Usage(sweep));
        Assert.Contains("Sweep specification", sweep);
    }

    [Fact]
    public void Kernel_ListsOnlyTheOptionsAnInfiniteWidthKernelDependsOn()
    {
        var kernel = Options(Help("kernel"));
        foreach (var unused in new[] { "--width", "--seed", "--output-init", "--labels", "--n-test", "--test-data", "--lr", "--steps" })
            Assert.DoesNotContain(unused, kernel);
        foreach (var used in new[] { "--arch", "--depth", "--activation", "--c-res", "--kernel-size", "--data", "--n", "--d", "--data-seed", "--out" })
            Assert.Contains(used, kernel);
        // train keeps all of them.
        var train = Options(Help("train"));
        foreach (var o in new[] { "--width", "--seed", "--output-init", "--labels", "--n-test", "--test-data", "--data-seed" })
            Assert.Contains(o, train);
    }

    [Fact]
    public void Kernel_WithAnOptionItDoesNotHave_IsAParseError()
    {
        var r = CliHarness.Run("kernel", "--width", "64", "--n", "4", "--d", "2");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--width", r.Err);
    }

    [Fact]
    public void TrainLr_ShowsNoDefault_AndSaysWhenItsValueApplies()
    {
        string lr = Help("train").Replace("\r\n", "\n").Split('\n').Single(l => l.TrimStart().StartsWith("--lr <", StringComparison.Ordinal));
        Assert.DoesNotContain("[default:", lr);
        Assert.Contains("--lr-policy fixed", lr);
    }
}
