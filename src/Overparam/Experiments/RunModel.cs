using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>
/// What a run trains, evaluates and saves. Every optimizer but replicated-sgd trains one network: the loop trains it,
/// evaluation runs a second network over its arrays, and it is init.safetensors and final.safetensors. Replicated-SGD
/// trains y replicas as one <see cref="ReplicaModel{T}"/>, replica a initialized from the seed --seed ^ (a·0x9E3779B97F4A7C15)
/// (replica 0 from --seed itself, so that y = 1 is the SGD run); the run's network is then their centre of mass w̄
/// (<see cref="CentreOfMass"/>), which evaluation measures and init.safetensors and final.safetensors hold, and
/// replica-K.safetensors holds replica K when the run ends.
/// </summary>
internal sealed class RunModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>What the loop trains; its parameters are what a checkpoint saves.</summary>
    public IModel<T> Model { get; }

    /// <summary>The run's network: evaluated, and saved as init and final.</summary>
    public IModel<T> Network { get; }

    /// <summary>Which of <see cref="Model"/>'s parameters train.</summary>
    public bool[] Trained { get; }

    /// <summary>Brings <see cref="Network"/> up to date with <see cref="Model"/> (the centre); null when they share the arrays.</summary>
    public Action? Refresh { get; }

    private RunModel(IModel<T> model, IModel<T> network, bool[] trained, Action? refresh)
    {
        (Model, Network, Trained, Refresh) = (model, network, trained, refresh);
    }

    /// <summary>The seed of replica <paramref name="replica"/>'s initialization.</summary>
    public static ulong ReplicaSeed(ulong seed, int replica) => seed ^ (0x9E3779B97F4A7C15UL * (ulong)replica);

    /// <summary>
    /// The model of <paramref name="spec"/>, initialized from the seed (or --init), or from a checkpoint's tensors
    /// (<paramref name="checkpoint"/>, read from <paramref name="source"/>); <paramref name="trained"/> is the network's.
    /// </summary>
    public static RunModel<T> Create(RunSpec spec, NetworkConfig config, bool[] trained, IReadOnlyDictionary<string, Tensor>? checkpoint, string source)
    {
        if (RunNetwork.Optimizer(spec).Name != Training.Optimizers.ReplicatedSgd<float>.KindName)
        {
            var (parameters, buffers) = checkpoint is null ? RunNetwork.State<T>(spec, config)
                : (RunNetwork.FromTensors<T>(checkpoint, config, source), RunNetwork.BuffersFromTensors<T>(checkpoint, config, source));
            var trainedModel = NetworkFactory.Create(config, parameters, buffers);
            if (trainedModel is IBatchNormModel<T> bn) bn.BatchStatistics = true;       // training steps use batch statistics; the evaluated network the running ones
            return new RunModel<T>(trainedModel, NetworkFactory.Create(config, parameters, buffers), trained, null);
        }
        int replicas = RunTraining.Replicas(spec);
        if (spec.Init is not null && replicas > 1)
            throw new RunSpecException($"--init with --replicas {replicas}: the replicas start from independent initializations drawn from --seed");
        var nets = Enumerable.Range(0, replicas).Select(a => NetworkFactory.Create(config, checkpoint is null
            ? RunNetwork.Parameters<T>(spec with { Seed = ReplicaSeed(spec.Seed, a) }, config)
            : RunNetwork.FromTensors<T>(Unprefixed(checkpoint, ReplicaModel<T>.Prefix(a)), config, $"{source} (replica {a})"))).ToArray();
        var model = new ReplicaModel<T>(nets);
        var centre = NetworkFactory.Create(config, NetworkFactory.Shapes(config)
            .Select(s => new Parameter<T>(s.Name, s.Shape, new T[s.Shape.Aggregate(1, (p, v) => p * v)])).ToArray());
        void Average()
        {
            for (int q = 0; q < centre.Parameters.Count; q++) CentreOfMass.Average(model.Parameters, replicas, q, centre.Parameters[q].Value);
        }
        Average();
        return new RunModel<T>(model, centre, [.. Enumerable.Repeat(trained, replicas).SelectMany(t => t)], Average);
    }

    private static Dictionary<string, Tensor> Unprefixed(IReadOnlyDictionary<string, Tensor> tensors, string prefix) => tensors
        .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    /// <summary>The run's network as tensors (after <see cref="Refresh"/>).</summary>
    public IReadOnlyList<Tensor> NetworkTensors()
    {
        Refresh?.Invoke();
        return RunNetwork.StateTensors(Network);
    }

    /// <summary>replica-K.safetensors for each replica (none for one network).</summary>
    public IEnumerable<(string File, IReadOnlyList<Tensor> Tensors)> ReplicaFiles() => Model is ReplicaModel<T> r
        ? r.Replicas.Select((m, a) => (ReplicaFile(a), RunNetwork.ToTensors(m.Parameters)))
        : [];

    /// <summary>The file of replica <paramref name="replica"/> in a run folder.</summary>
    public static string ReplicaFile(int replica) => $"replica-{replica}.safetensors";
}
