using System.Security.Cryptography;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>No silent overwrites (issue 11, item 9): `kernel --out` over a kernel folder is refused, and `gram` names its file by the weights it used and records them.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class NoOverwriteTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static CliResult Kernel(string dir, string seed) =>
        CliHarness.Run("kernel", "--arch", "fc", "--depth", "2", "--n", "6", "--d", "3", "--data-seed", seed, "--threads", "1", "--out", dir);

    [Fact]
    public void KernelOut_OverAKernelFolder_IsRefused_AndTheFirstKernelStays()
    {
        string dir = tmp.File("k");
        Assert.Equal(0, Kernel(dir, "1").ExitCode);
        byte[] first = File.ReadAllBytes(Path.Combine(dir, "kernel.safetensors"));
        byte[] eigenvalues = File.ReadAllBytes(Path.Combine(dir, "eigenvalues.csv"));

        var again = Kernel(dir, "2");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"--out {dir}: already holds a kernel (kernel.safetensors)", again.Err);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(dir, "kernel.safetensors")));
        Assert.Equal(eigenvalues, File.ReadAllBytes(Path.Combine(dir, "eigenvalues.csv")));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Gram_NamesItsFileByTheWeights_AndRecordsThemInTheMetadata()
    {
        string run = tmp.File("run");
        Assert.Equal(0, CliHarness.Run("train", "--depth", "1", "--width", "16", "--n", "6", "--d", "3", "--steps", "5", "--threads", "1", "--quiet", "--out", run).ExitCode);
        var final = CliHarness.Run("gram", "--run", run, "--threads", "1");
        Assert.True(final.ExitCode == 0, final.ToString());
        Assert.Contains($"wrote {run}/gram-final.safetensors (final weights)", final.Out);
        byte[] finalGram = File.ReadAllBytes(Path.Combine(run, "gram-final.safetensors"));

        var init = CliHarness.Run("gram", "--run", run, "--weights", "init", "--threads", "1");
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal(finalGram, File.ReadAllBytes(Path.Combine(run, "gram-final.safetensors")));   // untouched
        Assert.False(File.Exists(Path.Combine(run, "gram.safetensors")));

        foreach (var which in new[] { "init", "final" })
        {
            var g = SafeTensors.Read(Path.Combine(run, $"gram-{which}.safetensors"), out var meta);
            Assert.Equal(which, meta["weights"]);
            Assert.Equal($"{which}.safetensors", meta["weights_file"]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(run, $"{which}.safetensors")))), meta["weights_sha256"]);
            Assert.Equal([6, 6], g["G"].Shape);
        }
        Assert.NotEqual(SafeTensors.Read(Path.Combine(run, "gram-init.safetensors"))["G"].AsDoubles(),
            SafeTensors.Read(Path.Combine(run, "gram-final.safetensors"))["G"].AsDoubles());
    }
}
