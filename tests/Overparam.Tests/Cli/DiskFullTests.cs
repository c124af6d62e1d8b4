using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Overparam.Tests.Cli;

/// <summary>
/// A run on a disk that fills up: exit 1 with a one-line "the disk is full" message, metrics.csv ends at a whole row,
/// summary.json says failed at that row's step, and no temporary file is left; and a read-only file system as --out is
/// bad input. Needs a small tmpfs, which only root can mount; elsewhere the tests return without checking anything.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DiskFullTests
{
    [Fact]
    public void AFullDisk_EndsMetricsAndSummaryConsistently()
    {
        using var tmp = new TempDirectory();
        string mount = tmp.File("small");
        Directory.CreateDirectory(mount);
        if (!Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount)) return; // not root, or no mount here
        try
        {
            string run = Path.Combine(mount, "run");
            var r = CliHarness.Run("train", "--quiet", "--width", "8", "--depth", "1", "--n", "4", "--d", "2", "--steps", "100000",
                "--target-loss", "0", "--threads", "1", "--out", run);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.StartsWith("error: the disk is full", r.Err);
            Assert.DoesNotContain("   at ", r.Err);

            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            Assert.Equal("failed", summary["status"]!.GetValue<string>());
            string metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));
            Assert.EndsWith("\n", metrics);
            var last = metrics.TrimEnd('\n').Split('\n')[^1].Split(',');
            Assert.Equal(3, last.Length);
            Assert.Equal(summary["steps"]!.GetValue<int>(), int.Parse(last[0]));
            Assert.Equal(summary["final_loss"]!.GetValue<double>(), CliHarness.D(last[1]));
            Assert.Empty(Directory.GetFiles(run, "*.tmp"));
        }
        finally { Run("umount", mount); }
    }

    [Fact]
    public void AReadOnlyFileSystem_IsBadInput_AndNothingIsWritten()
    {
        using var tmp = new TempDirectory();
        string mount = tmp.File("readonly");
        Directory.CreateDirectory(mount);
        if (!Run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", mount)) return; // not root, or no mount here
        try
        {
            var r = CliHarness.Run("train", "--quiet", "--width", "8", "--depth", "1", "--n", "4", "--d", "2", "--steps", "2",
                "--threads", "1", "--out", Path.Combine(mount, "run"));
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.StartsWith($"error: --out {Path.Combine(mount, "run")}: cannot create or write the folder", r.Err);
            Assert.Empty(Directory.EnumerateFileSystemEntries(mount));
        }
        finally { Run("umount", mount); }
    }

    private static bool Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
