using System.CommandLine;
using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Cli.Commands;

/// <summary>`overparam gram --run DIR`: the finite-width Gram matrices G^(1) … G^(H+1) and G of a saved network (spec §5).</summary>
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
            var configPath = Path.Combine(dir, "config.json");
            if (!File.Exists(configPath)) throw new RunSpecException($"--run {dir}: no config.json (not a run folder)");
            var specNode = JsonNode.Parse(File.ReadAllText(configPath))?["spec"]
                ?? throw new RunSpecException($"{configPath}: no \"spec\" object");
            var spec = System.Text.Json.JsonSerializer.Deserialize<RunSpec>(specNode.ToJsonString(), RunSpec.Json)!;
            var dataPath = Path.Combine(dir, "data.safetensors");
            Dictionary<string, Tensor> dataTensors;
            try { dataTensors = SafeTensors.Read(dataPath); }
            catch (Exception e) when (e is IOException or InvalidDataException) { throw new RunSpecException($"{dataPath}: {e.Message}", e); }
            if (!dataTensors.TryGetValue("X", out var xt) || !dataTensors.TryGetValue("y", out var yt) || xt.Shape.Length < 2)
                throw new RunSpecException($"{dataPath}: expected tensors X [n, ...] and y [n]");
            int n = xt.Shape[0];
            var x = new Matrix<double>(n, xt.Shape.Skip(1).Aggregate(1, (p, s) => p * s), xt.AsDoubles());
            var data = new Overparam.Data.Dataset(x, yt.AsDoubles(), xt.Shape.Skip(1).ToArray(), dataPath);
            var config = RunNetwork.Config(spec, data);
            var net = NetworkFactory.Create(config, RunNetwork.Parameters<double>(spec with { Init = Path.Combine(dir, which + ".safetensors") }, config)) as INetwork<double>
                ?? throw new RunSpecException($"--run {dir}: the {config.Architecture.Name} model has no per-layer Gram matrices");
            var u = new double[n];
            net.Forward(x, u);
            net.BackPropagate();
            var grams = net.GramMatrices();
            var g = StepSize.TrainedNtk(grams, grams.Select(_ => true).ToArray());
            var tensors = grams.Select((m, h) => Tensor.FromMatrix($"G{h + 1}", m)).Append(Tensor.FromMatrix("G", g)).ToList();
            SafeTensors.Write(Path.Combine(dir, "gram.safetensors"), tensors);
            for (int h = 0; h < grams.Length; h++)
                Console.WriteLine($"lambda_min(G{h + 1}) = {LinearAlgebra.SmallestEigenvalue(grams[h]):G10}{(h == grams.Length - 1 ? "  (output layer a)" : h == grams.Length - 2 ? "  (G^(H), the proof's Gram)" : "")}");
            Console.WriteLine($"lambda_min(G) = {LinearAlgebra.SmallestEigenvalue(g):G10}  (full NTK over all layers)");
            Console.WriteLine($"wrote {dir}/gram.safetensors ({which} weights)");
            return 0;
        }));
        return command;
    }
}
