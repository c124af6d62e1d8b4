using System.Numerics;
using System.Text.Json;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// sgd, adam and rmsprop replay what PyTorch's own optimizers did, bit for bit: Golden/torch-optimizers/trajectories.json
/// holds θ after each of four steps of torch.optim.SGD, Adam and RMSprop (PyTorch 1.13, Debian's python3-torch, on an
/// AVX-512 CPU, where PyTorch's element-wise kernels use fused multiply-adds) on one 37-element parameter with fixed
/// gradients, in float64 and float32; make.py beside it regenerates the file.
/// </summary>
public class OptimizerTorchGoldenTests
{
    private static readonly JsonElement Golden =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "torch-optimizers", "trajectories.json"))).RootElement;

    public static TheoryData<int> Cases => new(Enumerable.Range(0, Golden.GetProperty("cases").GetArrayLength()));

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static void AssertReplays<T>(int index, string dtype) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = Golden.GetProperty("cases")[index];
        var settings = c.GetProperty("settings").Deserialize<OptimizerSettings>()!;
        var grads = Golden.GetProperty("grads").EnumerateArray().Select(Doubles).ToArray();
        var model = new ScriptedModel<T>([("w", Doubles(Golden.GetProperty("theta")))], grads.Select(g => new[] { g }).ToArray());
        var optimizer = OptimizerKind.TryParse(c.GetProperty("optimizer").GetString()!)!.Create<T>(settings);
        var expected = c.GetProperty(dtype).EnumerateArray().Select(Doubles).ToArray();
        for (int k = 0; k < expected.Length; k++)
        {
            optimizer.Step(new OptimizerStep<T> { Step = k, Model = model, OutputGradient = [] });
            Assert.True(expected[k].SequenceEqual(model.Value(0)), $"{c.GetProperty("optimizer")} {c.GetProperty("settings")} {dtype}: θ after step {k + 1} differs from PyTorch's");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64_EqualsPyTorchBitwise(int index) => AssertReplays<double>(index, "float64");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_EqualsPyTorchBitwise(int index) => AssertReplays<float>(index, "float32");
}
