using System.CommandLine;
using Overparam.Experiments;

namespace Overparam.Cli.Commands;

/// <summary>
/// `overparam expressivity --run DIR`: is the network wide enough at the right layer for this data? The expressivity
/// condition (Kawaguchi &amp; Huang 2019, Kawaguchi &amp; Sun 2021): rank Φ = n for the features Φ of the last hidden layer on
/// the training set, or rank J = n·C for the Jacobian of the outputs w.r.t. a parameter block (<see cref="ExpressivityRun"/>).
/// Prints yes/no with σ_min, σ_max, rank and κ, and writes them into the run folder.
/// </summary>
public static class ExpressivityCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "A run folder written by `overparam train`", Required = true };
        var weights = new Option<string>("--weights") { Description = "init, final, replica-K, or checkpoint (the parameters of checkpoint.safetensors: a step during training)", DefaultValueFactory = _ => "final" };
        var block = new Option<string>("--block") { Description = "features (Phi of the last hidden layer, n x m; n x m*p for convresnet: condition rank Phi = n), or parameters as --train names them (output, hidden, all, or a list such as W3,a): the Jacobian of the n*C outputs, condition rank = n*C", DefaultValueFactory = _ => ExpressivityRun.FeaturesBlock };
        var threads = CommonOptions.Threads();
        var command = new Command("expressivity", "The expressivity condition of a saved network: numerical rank (tolerance sigma_max*max(n,m)*eps), sigma_min, sigma_max and yes/no for rank Phi = n (Kawaguchi & Huang 2019; Kawaguchi & Sun 2021), written to expressivity*.json in the run folder");
        foreach (var o in new Option[] { run, weights, block, threads }) command.Options.Add(o);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads));
            var request = new ExpressivityRun.Request(r.GetValue(run)!, r.GetValue(weights)!, r.GetValue(block)!);
            var m = ExpressivityRun.Measure(request);
            var e = m.Result;
            Console.WriteLine($"{m.Matrix}, {request.Weights} weights");
            Console.WriteLine($"rank {e.Rank} of {Math.Min(e.Rows, e.Cols)} possible (tolerance {e.Tolerance:G3}), sigma_min {e.SigmaMin:G6}, sigma_max {e.SigmaMax:G6}, kappa = (sigma_max/sigma_min)^2 = {e.Kappa:G3}");
            Console.WriteLine($"expressivity condition (rank = {e.Rows}): {(e.Holds ? "yes" : "no")}");
            Console.WriteLine($"wrote {ExpressivityRun.Write(request, m)}");
            return 0;
        }));
        return command;
    }
}
