using System.CommandLine;
using System.Globalization;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Reports;

namespace Overparam.Cli.Commands;

/// <summary>`overparam kernel`: the infinite-width Gram matrices K^(0) … K^(H), Θ and λ₀ for a data set (docs/mathematics.md §4).</summary>
public static class KernelCommand
{
    public static Command Create()
    {
        var spec = new SpecOptions(kernel: true);
        var outDir = new Option<string>("--out") { Description = "Folder for kernel.safetensors (K0..KH, and Theta except for convresnet), eigenvalues.csv and config.json", DefaultValueFactory = _ => Path.Combine("runs", "kernel-" + DateTime.Now.ToString("yyyyMMdd-HHmmss")) };
        var threads = CommonOptions.Threads();
        var command = new Command("kernel", "Compute the infinite-width Gram matrices K^(h) (docs/mathematics.md §4), the full NTK Theta and lambda0 = lambda_min(K^(H))");
        foreach (var o in spec.Kernel) command.Options.Add(o);
        command.Options.Add(outDir);
        command.Options.Add(threads);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads));
            var runSpec = spec.ToSpec(r);
            RunSpecChecks.Check(runSpec);
            var data = RunData.Load(runSpec, RunNetwork.Architecture(runSpec), out var warnings);
            foreach (var w in warnings) Console.Error.WriteLine("warning: " + w);
            var config = RunNetwork.Config(runSpec, data);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var kernel = TheoryQuantities.Compute(config, data).Kernel;
            double seconds = clock.Elapsed.TotalSeconds;
            // kernel.safetensors, created exclusively, claims the folder: an existing kernel folder is refused (exit 2), and a
            // default name that is taken moves on to -2, -3, … (two kernels computed in the same second).
            var dir = OutputFolder.Claim(r.GetValue(outDir)!, "kernel.safetensors", r.GetResult(outDir) is null or { Implicit: true }, "--out", "a kernel");
            var tensors = kernel.Tensors.Where(t => t.Name.StartsWith('K') && t.Name.Skip(1).All(char.IsDigit))
                .Select(t => Tensor.F64(t.Name, t.Shape, t.Data)).ToList();
            if (kernel.Theta is { } theta) tensors.Add(Tensor.FromMatrix("Theta", theta));
            SafeTensors.Write(Path.Combine(dir, "kernel.safetensors"), tensors);
            var kEig = LinearAlgebra.SymmetricEigenvalues(kernel.KH);
            var tEig = kernel.Theta is null ? null : LinearAlgebra.SymmetricEigenvalues(kernel.Theta);
            var lines = new List<string> { tEig is null ? "index,eig_KH" : "index,eig_KH,eig_Theta" };
            for (int i = 0; i < kEig.Length; i++)
                lines.Add(string.Join(",", new[] { i.ToString(CultureInfo.InvariantCulture), ReportFormat.RoundTrip(kEig[i]) }
                    .Concat(tEig is null ? [] : [ReportFormat.RoundTrip(tEig[i])])));
            AtomicFile.WriteAllText(Path.Combine(dir, "eigenvalues.csv"), string.Join("\n", lines) + "\n");
            var metadata = KernelRecords.Config(runSpec, config, data, kernel, seconds);
            AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), metadata.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            double angle = data.SmallestPairwiseAngle();
            Console.WriteLine($"lambda0 = lambda_min(K^(H)) = {kernel.Lambda0:G10}");
            if (tEig is not null) Console.WriteLine($"lambda_min(Theta) = {tEig[0]:G10}, lambda_max(Theta) = {tEig[^1]:G10}");
            else Console.WriteLine($"Theta: {metadata["resolved"]!["theta"]}");
            Console.WriteLine($"smallest pairwise angle of the data: {angle:G6} rad ({angle * 180 / Math.PI:G6} deg)");
            Console.WriteLine($"n = {data.Count}, H = {config.Depth}, {config.Activation.Name}, {seconds:F2} s; wrote {dir}/kernel.safetensors, eigenvalues.csv and config.json");
            return 0;
        }));
        return command;
    }
}
