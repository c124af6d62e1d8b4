using System.Globalization;
using System.Text.RegularExpressions;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Tests.Cli;

/// <summary>`overparam kernel` and `overparam gram` write the matrices they report.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class KernelAndGramCommandTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static void AssertSymmetric(Matrix<double> m)
    {
        Assert.Equal(m.Rows, m.Cols);
        double scale = m.Data.Max(Math.Abs);
        for (int i = 0; i < m.Rows; i++)
            for (int j = 0; j < i; j++)
                Assert.True(Math.Abs(m[i, j] - m[j, i]) <= 1e-13 * scale, $"[{i},{j}] {m[i, j]} vs {m[j, i]}");
    }

    [Fact]
    public void Kernel_WritesK0ToKHAndTheta_AndPrintsLambdaMinOfKH()
    {
        const int n = 8, depth = 3;
        var dir = tmp.File("k");
        var r = CliHarness.Run("kernel", "--arch", "fc", "--depth", depth.ToString(), "--activation", "softplus", "--n", n.ToString(), "--d", "4", "--data-seed", "3", "--threads", "1", "--out", dir);
        Assert.True(r.ExitCode == 0, r.ToString());

        var t = SafeTensors.Read(Path.Combine(dir, "kernel.safetensors"));
        for (int h = 0; h <= depth; h++)
        {
            Assert.True(t.ContainsKey($"K{h}"), $"K{h} missing: {string.Join(", ", t.Keys)}");
            Assert.Equal([n, n], t[$"K{h}"].Shape);
            AssertSymmetric(t[$"K{h}"].AsMatrix());
        }
        Assert.False(t.ContainsKey($"K{depth + 1}"));
        Assert.Equal([n, n], t["Theta"].Shape);
        AssertSymmetric(t["Theta"].AsMatrix());

        var kh = t[$"K{depth}"].AsMatrix();
        double lambda0 = LinearAlgebra.SmallestEigenvalue(kh);
        Assert.True(lambda0 > 0);
        // eigenvalues.csv is written with round-trip precision: its smallest eig_KH is λ_min(K^(H)) to 1e-12.
        var eig = File.ReadAllLines(Path.Combine(dir, "eigenvalues.csv")).Where(l => l.Length > 0).ToArray();
        Assert.StartsWith("index,eig_KH", eig[0]);
        Assert.Equal(n + 1, eig.Length);
        double fromCsv = double.Parse(eig[1].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(fromCsv - lambda0) <= 1e-12 * Math.Max(1, lambda0), $"{fromCsv} vs {lambda0}");
        // The console prints λ₀ with 10 significant digits (G10), so the printed value agrees to that precision.
        var match = Regex.Match(r.Out, @"lambda0 = lambda_min\(K\^\(H\)\) = (\S+)");
        Assert.True(match.Success, r.Out);
        double printed = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(printed - lambda0) <= 1e-9 * lambda0, $"printed {printed} vs {lambda0}");

        // config.json says what the kernel is of, and its λ₀ is the one of K^(H) in the file.
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        var resolved = config["resolved"]!;
        Assert.Equal("fc", (string?)resolved["architecture"]);
        Assert.Equal(depth, (int)resolved["depth"]!);
        Assert.Equal("softplus", (string?)resolved["activation"]);
        Assert.Equal(n, (int)resolved["n"]!);
        Assert.Equal(3, (int)config["spec"]!["data_seed"]!);
        Assert.Equal(lambda0, (double)resolved["lambda0"]!, 1e-12 * Math.Max(1, lambda0));
        Assert.Equal(["K0", "K1", "K2", "K3", "Theta"], resolved["tensors"]!.AsArray().Select(v => (string)v!));
        Assert.NotNull(config["environment"]!["library_version"]);
    }

    [Fact]
    public void Kernel_OfTheConvResNet_SaysThetaIsNotAvailable()
    {
        var dir = tmp.File("kconv");
        var r = CliHarness.Run("kernel", "--arch", "convresnet", "--depth", "2", "--d0", "2", "--p", "6", "--kernel-size", "3", "--n", "4", "--threads", "1", "--out", dir);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Theta: not available", r.Out);
        Assert.False(SafeTensors.Read(Path.Combine(dir, "kernel.safetensors")).ContainsKey("Theta"));
        var resolved = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["resolved"]!;
        Assert.StartsWith("not available", (string?)resolved["theta"]);
        Assert.Equal(["K0", "K1", "K2"], resolved["tensors"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void Gram_OfATrainedRun_WritesPerLayerGramsAndTheirSum()
    {
        const int n = 8, depth = 2;
        var run = tmp.File("run");
        var train = CliHarness.Run("train", "--arch", "fc", "--depth", depth.ToString(), "--width", "32", "--n", n.ToString(), "--d", "4", "--steps", "5", "--threads", "1", "--quiet", "--out", run);
        Assert.True(train.ExitCode == 0, train.ToString());
        var r = CliHarness.Run("gram", "--run", run, "--weights", "init", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("lambda_min(G) =", r.Out);

        var t = SafeTensors.Read(Path.Combine(run, "gram-init.safetensors"));
        var g = t["G"].AsMatrix();
        var sum = new Matrix<double>(n, n);
        for (int h = 1; h <= depth + 1; h++)
        {
            var gh = t[$"G{h}"].AsMatrix();
            Assert.Equal([n, n], t[$"G{h}"].Shape);
            AssertSymmetric(gh);
            for (int k = 0; k < sum.Data.Length; k++) sum.Data[k] += gh.Data[k];
        }
        Assert.False(t.ContainsKey($"G{depth + 2}"));
        AssertSymmetric(g);
        double scale = g.Data.Max(Math.Abs);
        for (int k = 0; k < sum.Data.Length; k++) Assert.True(Math.Abs(sum.Data[k] - g.Data[k]) <= 1e-13 * scale);
        // G^(H+1) = <du_i/da, du_j/da> = x_i^(H)·x_j^(H): a Gram matrix, positive semi-definite.
        Assert.True(LinearAlgebra.SmallestEigenvalue(t[$"G{depth + 1}"].AsMatrix()) > -1e-12 * scale);

        var bad = CliHarness.Run("gram", "--run", run, "--weights", "middle");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--weights middle", bad.Err);
    }
}
