using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Kernels;

namespace Overparam.Experiments;

/// <summary>What `overparam kernel` writes beside kernel.safetensors.</summary>
public static class KernelRecords
{
    /// <summary>
    /// The config.json of `overparam kernel`: the spec as given, the kernel it resolved to (architecture, depth,
    /// activation, c_σ, c_res, kernel size, data, λ₀, which tensors kernel.safetensors holds and why Θ is missing when it
    /// is), and the environment.
    /// </summary>
    public static JsonObject Config(RunSpec spec, NetworkConfig config, Dataset data, KernelResult kernel, double seconds) => new()
    {
        ["spec"] = JsonNode.Parse(spec.ToJson())!.AsObject(),
        ["resolved"] = new JsonObject
        {
            ["architecture"] = config.Architecture.Name,
            ["depth"] = config.Depth,
            ["activation"] = config.Activation.Name,
            ["c_sigma"] = config.CSigma,
            ["c_res"] = config.Architecture.UsesCRes ? config.CRes : null,
            ["kernel_size"] = config.Architecture.UsesKernelSize ? config.KernelSize : null,
            ["n"] = data.Count,
            ["input_shape"] = new JsonArray(data.InputShape.Select(v => (JsonNode)v).ToArray()),
            ["data_source"] = data.Source,
            ["inputs_normalized"] = !spec.RawInputs && !spec.Standardize,
            ["lambda0"] = kernel.Lambda0,
            ["tensors"] = new JsonArray(Enumerable.Range(0, config.Depth + 1).Select(h => (JsonNode)$"K{h}").Concat(kernel.Theta is null ? [] : [(JsonNode)"Theta"]).ToArray()),
            ["theta"] = kernel.Theta is null ? $"not available: the infinite-width NTK Θ is not derived for the {config.Architecture.DisplayName} network (docs/mathematics.md §4)" : "Theta",
            ["seconds"] = seconds,
        },
        ["environment"] = RunRecords.Environment(),
    };

}
