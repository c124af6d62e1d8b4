using System.Numerics;
using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Architectures.Spiking;
using Overparam.Data;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>Builds the network a <see cref="RunSpec"/> describes, for a dataset, and checks its options.</summary>
public static class RunNetwork
{
    /// <summary>The registered architecture the spec names; an unknown name is bad input, never a default.</summary>
    public static Architecture Architecture(RunSpec spec) => Architectures.Architecture.TryParse(spec.Architecture)
        ?? throw new RunSpecException($"--arch {spec.Architecture}: expected one of {string.Join(", ", Architectures.Architecture.Names)}");

    /// <summary>The registered optimizer the spec names (gd when none); an unknown name is bad input.</summary>
    public static OptimizerKind Optimizer(RunSpec spec) => spec.Optimizer is null ? OptimizerKind.Default
        : OptimizerKind.TryParse(spec.Optimizer) ?? throw new RunSpecException($"--optimizer {spec.Optimizer}: expected one of {string.Join(", ", OptimizerKind.Names)}");

    /// <summary>
    /// The network for <paramref name="data"/>; <paramref name="classes"/> is the data's number of classes (≥ 2 for class
    /// ids, 0 for values or ±1 labels), which sets C when --outputs is not given and bounds the class ids when it is.
    /// </summary>
    public static NetworkConfig Config(RunSpec spec, Dataset data, int classes = 0)
    {
        var architecture = Architecture(spec);
        var act = Activation.TryParse(spec.Activation)
            ?? throw new RunSpecException($"--activation {spec.Activation}: expected one of {string.Join(", ", Activation.Names)}");
        if (spec.Depth < 1) throw new RunSpecException($"--depth {spec.Depth}: must be at least 1");
        if (spec.Width < 1) throw new RunSpecException($"--width {spec.Width}: must be at least 1");
        if (spec.FeatureWidth is int featureWidth)
        {
            if (featureWidth < 1) throw new RunSpecException($"--feature-width {featureWidth}: must be at least 1");
            if (!architecture.HasFeatureWidth)
                throw new RunSpecException($"--feature-width: only for {Choices.Or(Architectures.Architecture.All.Where(a => a.HasFeatureWidth).Select(a => a.Name).ToArray())} (the {architecture.Name} network has one width, --width)");
            if (spec.Depth < 2)
                throw new RunSpecException($"--feature-width with --depth {spec.Depth}: the only hidden layer is the last one; set its width with --width");
        }
        if (!(spec.CRes > 0 && spec.CRes < 1) && !spec.AllowAnyCRes)
            throw new RunSpecException($"--c-res {spec.CRes}: the theorems need 0 < c_res < 1; pass --allow-any-c-res to use it anyway");
        var init = spec.OutputInit switch
        {
            "gaussian" => OutputInit.Gaussian,
            "sign" => OutputInit.Sign,
            _ => throw new RunSpecException($"--output-init {spec.OutputInit}: expected gaussian or sign"),
        };
        if (spec.BatchNorm)
        {
            if (!architecture.HasBatchNorm)
                throw new RunSpecException($"--batch-norm: only for {Choices.Or(Architectures.Architecture.All.Where(a => a.HasBatchNorm).Select(a => a.Name).ToArray())} (the {architecture.Name} network has no batch norm)");
            if (RunTraining.Parameterization(spec) != Parameterization.Standard)
                throw new RunSpecException("--batch-norm needs --parameterization standard: the paper's parameterization (ntk) fixes each layer's scale sqrt(c_σ/m) and c_res/(H√m), which batch norm would undo, and its kernels and Gram matrices assume no batch statistics");
        }
        int outputs = spec.Outputs ?? Math.Max(1, classes);
        if (outputs < 1) throw new RunSpecException($"--outputs {outputs}: must be at least 1");
        if (classes >= 2 && outputs < classes)
            throw new RunSpecException($"--outputs {outputs}: the data has class ids up to {classes - 1}, so C must be at least {classes}");
        if (classes >= 2 && outputs == 1)
            throw new RunSpecException($"--outputs 1: the data has {classes} classes; one output needs values or ±1 labels");
        var template = new NetworkConfig(architecture, spec.Depth, spec.Width, data.Features, act, spec.CRes, 1, spec.KernelSize, init, spec.CSigma,
            outputs, RunTraining.Parameterization(spec), spec.Bias, Spiking(spec, architecture), spec.FeatureWidth, spec.BatchNorm);
        try { return architecture.Configure(template, data.InputShape); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message.StartsWith("--") ? e.Message : $"{data.Source}: {e.Message}"); }
    }

    /// <summary>
    /// The spiking settings of --arch snn (docs/mathematics.md §15), null for every other architecture, which must not be
    /// given them. The readout is the count with the cross-entropy loss (cross-entropy on counts) and the rate otherwise.
    /// </summary>
    public static SpikingConfig? Spiking(RunSpec spec, Architecture architecture)
    {
        (string Option, bool Given)[] options = [("--time-steps", spec.TimeSteps is not null), ("--tau", spec.Tau is not null),
            ("--surrogate", spec.Surrogate is not null), ("--surrogate-alpha", spec.SurrogateAlpha is not null), ("--spike-readout", spec.SpikeReadout is not null)];
        if (architecture is not SpikingArchitecture)
        {
            foreach (var (option, given) in options)
                if (given) throw new RunSpecException($"{option}: only for --arch snn (the {architecture.Name} network does not spike)");
            return null;
        }
        var surrogate = spec.Surrogate is null ? Surrogate.ATan : Surrogate.TryParse(spec.Surrogate)
            ?? throw new RunSpecException($"--surrogate {spec.Surrogate}: expected {Choices.Or(Surrogate.Names)}");
        var loss = spec.Loss ?? architecture.DefaultLoss;
        var readout = (spec.SpikeReadout ?? (loss == Training.Losses.CrossEntropy.Instance.Name ? "count" : "rate")) switch
        {
            "rate" => SpikeReadout.Rate,
            "count" => SpikeReadout.Count,
            var r => throw new RunSpecException($"--spike-readout {r}: expected rate or count"),
        };
        var d = SpikingConfig.Default;
        var snn = new SpikingConfig(spec.TimeSteps ?? d.TimeSteps, spec.Tau ?? d.Tau, surrogate, spec.SurrogateAlpha ?? surrogate.DefaultAlpha, readout);
        try { snn.Check(); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        return snn;
    }

    /// <summary>
    /// Which of the configuration's parameters train: all | hidden (all but the output layer a, b_out) | output (a, b_out)
    /// | a comma list of parameter names such as "W1,a".
    /// </summary>
    public static bool[] Trained(RunSpec spec, NetworkConfig config)
    {
        var names = NetworkFactory.Shapes(config).Select(s => s.Name).ToList();
        switch (spec.Train.ToLowerInvariant())
        {
            case "all": return names.Select(_ => true).ToArray();
            case "hidden": return names.Select(n => !IsOutputLayer(n)).ToArray();
            case "output": return names.Select(IsOutputLayer).ToArray();
        }
        var chosen = spec.Train.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var c in chosen)
            if (!names.Contains(c)) throw new RunSpecException($"--train {spec.Train}: \"{c}\" is not one of all, hidden, output, {string.Join(", ", names)}");
        if (chosen.Length == 0) throw new RunSpecException("--train: no parameter chosen");
        return names.Select(n => chosen.Contains(n)).ToArray();
    }

    /// <summary>The paper's initialization from the seed, or the tensors of --init (names and shapes checked).</summary>
    public static IReadOnlyList<Parameter<T>> Parameters<T>(RunSpec spec, NetworkConfig config) where T : unmanaged, IFloatingPointIeee754<T> =>
        State<T>(spec, config).Parameters;

    /// <summary>The parameters (<see cref="Parameters{T}"/>) and the buffers: initial ones, or those of --init's file.</summary>
    public static (IReadOnlyList<Parameter<T>> Parameters, IReadOnlyList<Parameter<T>> Buffers) State<T>(RunSpec spec, NetworkConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (spec.Init is null) return (NetworkFactory.Initialize<T>(config, new GaussianRng(spec.Seed)), NetworkFactory.InitialBuffers<T>(config));
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        try { tensors = SafeTensors.Read(spec.Init, out metadata); }
        catch (Exception e) when (e is IOException or InvalidDataException) { throw new RunSpecException($"--init {spec.Init}: {e.Message}", e); }
        // fc and resnet weights have the same tensors: the architecture written with them tells them apart.
        if (metadata.TryGetValue(ArchitectureKey, out var written) && !string.Equals(written, config.Architecture.Name, StringComparison.OrdinalIgnoreCase))
            throw new RunSpecException($"--init {spec.Init}: holds the weights of a {written} network (its {SafeTensors.MetadataKey}), and this run's --arch is {config.Architecture.Name}");
        return (FromTensors<T>(tensors, config, $"--init {spec.Init}"), BuffersFromTensors<T>(tensors, config, $"--init {spec.Init}"));
    }

    /// <summary>The metadata key naming the architecture of a weights file.</summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>What init.safetensors and final.safetensors record of their network: the architecture and depth.</summary>
    public static Dictionary<string, string> Metadata(NetworkConfig config) => new()
    {
        [ArchitectureKey] = config.Architecture.Name,
        ["depth"] = config.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The network's parameters from named tensors: names and shapes as the network's, every value finite, and no other
    /// tensor; <paramref name="source"/> starts each error message.
    /// </summary>
    public static IReadOnlyList<Parameter<T>> FromTensors<T>(IReadOnlyDictionary<string, Tensor> tensors, NetworkConfig config, string source)
        where T : unmanaged, IFloatingPointIeee754<T> => Read<T>(tensors, config, source, NetworkFactory.Shapes(config));

    /// <summary>
    /// The network's buffers (batch norm's running statistics, none without it) from named tensors, checked as
    /// <see cref="FromTensors{T}"/> checks the parameters, and every running variance ≥ 0.
    /// </summary>
    public static IReadOnlyList<Parameter<T>> BuffersFromTensors<T>(IReadOnlyDictionary<string, Tensor> tensors, NetworkConfig config, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var buffers = Read<T>(tensors, config, source, NetworkFactory.BufferShapes(config));
        foreach (var b in buffers.Where(b => b.Name.EndsWith(".running_var", StringComparison.Ordinal)))
            if (b.Value.Any(v => v < T.Zero)) throw new RunSpecException($"{source}: buffer {b.Name} holds a negative variance");
        return buffers;
    }

    /// <summary>The parameters and buffers of <paramref name="model"/> as tensors, in the order of the files (parameters first).</summary>
    public static IReadOnlyList<Tensor> StateTensors<T>(IModel<T> model) where T : unmanaged, IFloatingPointIeee754<T> =>
        [.. ToTensors(model.Parameters), .. model is IBatchNormModel<T> bn ? ToTensors(bn.Buffers) : []];

    /// <summary>The network of <paramref name="config"/> over the parameters and buffers in <paramref name="tensors"/> (a weights file).</summary>
    public static IModel<T> Network<T>(IReadOnlyDictionary<string, Tensor> tensors, NetworkConfig config, string source)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NetworkFactory.Create(config, FromTensors<T>(tensors, config, source), BuffersFromTensors<T>(tensors, config, source));

    // The tensors named in wanted, after checking that the file holds exactly the network's parameters and buffers.
    private static IReadOnlyList<Parameter<T>> Read<T>(IReadOnlyDictionary<string, Tensor> tensors, NetworkConfig config, string source,
        IReadOnlyList<(string Name, int[] Shape)> wanted) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shapes = NetworkFactory.Shapes(config).Concat(NetworkFactory.BufferShapes(config)).ToList();
        var differences = new List<string>();
        foreach (var (name, shape) in shapes)
        {
            if (!tensors.TryGetValue(name, out var t)) differences.Add($"{name} [{string.Join(", ", shape)}] is missing");
            else if (!t.Shape.SequenceEqual(shape)) differences.Add($"{name} has shape [{string.Join(", ", t.Shape)}], the network needs [{string.Join(", ", shape)}]");
        }
        foreach (var name in tensors.Keys.Except(shapes.Select(s => s.Name)).Order(StringComparer.Ordinal))
            differences.Add($"{name} [{string.Join(", ", tensors[name].Shape)}] is not a parameter of this network");
        if (differences.Count > 0)
            throw new RunSpecException($"{source}: the tensors do not match the network ({config.Architecture.Name}, depth {config.Depth}: " +
                $"{string.Join(", ", shapes.Select(s => $"{s.Name} [{string.Join(", ", s.Shape)}]"))}); refusing weights that may belong to another network:\n  " +
                string.Join("\n  ", differences));
        var result = new List<Parameter<T>>();
        foreach (var (name, shape) in wanted)
        {
            var values = tensors[name].AsDoubles();
            int bad = Array.FindIndex(values, v => !double.IsFinite(v));
            if (bad >= 0)
                throw new RunSpecException($"{source}: tensor {name} holds {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)} at [{string.Join(", ", Index(bad, shape))}]; weights must be finite");
            result.Add(new Parameter<T>(name, shape, values.Select(T.CreateTruncating).ToArray()));
        }
        return result;
    }

    /// <summary>The row-major multi-index of flat element <paramref name="flat"/> in an array of <paramref name="shape"/>.</summary>
    private static int[] Index(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int k = shape.Length - 1; k >= 0; k--) { index[k] = flat % shape[k]; flat /= shape[k]; }
        return index;
    }

    public static IReadOnlyList<Tensor> ToTensors<T>(IReadOnlyList<Parameter<T>> parameters) where T : unmanaged, IFloatingPointIeee754<T>
        => parameters.Select(p => typeof(T) == typeof(float)
            ? Tensor.F32(p.Name, p.Shape, (float[])(object)p.Value.Clone())
            : Tensor.F64(p.Name, p.Shape, p.Value.Select(double.CreateTruncating).ToArray())).ToList();

    private static bool IsOutputLayer(string name) => name is "a" or "b_out";
}
