using System.CommandLine;
using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Cli.Commands;

/// <summary>
/// `overparam gram --run DIR`: the finite-width Gram matrices G^(1) … G^(H+1) and G of a saved network (docs/mathematics.md §5),
/// into DIR/gram-WEIGHTS.safetensors (gram-init, gram-final), named by the weights they come from so that one never
/// replaces the other; the file's metadata records the weights file and its SHA-256.
/// </summary>
public static class GramCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "A run folder written by `overparam train`", Required = true };
        var weights = new Option<string>("--weights") { Description = "init or final", DefaultValueFactory = _ => "final" };
        var threads = CommonOptions.Threads();
        var command = new Command("gram", "Per-layer Gram matrices G^(h) = <du_i/dW^(h), du_j/dW^(h)> of a saved network, their sum G, and least eigenvalues");
        command.Options.Add(run);
        command.Options.Add(weights);
        command.Options.Add(threads);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads));
            var dir = r.GetValue(run)!;
            var which = r.GetValue(weights)!;
            if (which is not ("init" or "final")) throw new RunSpecException($"--weights {which}: expected init or final");
            var saved = RunFolder.Open(dir);
            var data = saved.Data();
            var config = RunNetwork.Config(saved.Spec, data);
            var tensors = saved.Weights(which);
            string source = Path.Combine(dir, which + ".safetensors");
            if (config.BatchNorm)
                throw new RunSpecException($"--run {dir}: per-layer Gram matrices are built from per-sample Jacobians, and this run's --batch-norm couples the samples of a batch");
            var net = NetworkFactory.Create(config, RunNetwork.FromTensors<double>(tensors, config, $"{which} weights of {dir}")) as INetwork<double>;
            if (net is null || net.Outputs != 1)
                throw new RunSpecException($"--run {dir}: per-layer Gram matrices are defined for the paper's networks with one output; this run is {config.Architecture.Name} with C = {config.Outputs}");
            net.Forward(data.X, new double[data.Count]);
            net.BackPropagate();
            var grams = net.GramMatrices();
            var g = StepSize.TrainedNtk(grams, grams.Select(_ => true).ToArray());
            string file = $"gram-{which}.safetensors";
            SafeTensors.Write(Path.Combine(dir, file),
                grams.Select((m, h) => Tensor.FromMatrix($"G{h + 1}", m)).Append(Tensor.FromMatrix("G", g)).ToList(),
                new Dictionary<string, string>
                {
                    ["weights"] = which,
                    ["weights_file"] = Path.GetFileName(source),
                    ["weights_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(source))),
                });
            for (int h = 0; h < grams.Length; h++)
                Console.WriteLine($"lambda_min(G{h + 1}) = {LinearAlgebra.SmallestEigenvalue(grams[h]):G10}{(h == grams.Length - 1 ? "  (output layer a)" : h == grams.Length - 2 ? "  (G^(H), the proof's Gram)" : "")}");
            Console.WriteLine($"lambda_min(G) = {LinearAlgebra.SmallestEigenvalue(g):G10}  (full NTK over all layers)");
            Console.WriteLine($"wrote {dir}/{file} ({which} weights)");
            return 0;
        }));
        return command;
    }
}
