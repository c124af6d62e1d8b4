using Overparam.Activations;
using Overparam.Architectures;

namespace Overparam.Bench;

/// <summary>Problem sizes of the benchmark. Full: the brief's sizes; quick: a smoke run in seconds.</summary>
public sealed record Sizes(int N, int D, int M, int H, int ConvN, int ConvD0, int ConvP, int ConvM, int ConvH, int ConvQ,
    int KernelN, int KernelH, int PeakSize)
{
    public static readonly Sizes Full = new(N: 512, D: 64, M: 2048, H: 8,
        ConvN: 128, ConvD0: 8, ConvP: 64, ConvM: 256, ConvH: 6, ConvQ: 3, KernelN: 1000, KernelH: 16, PeakSize: 2048);

    public static readonly Sizes Quick = new(N: 64, D: 16, M: 256, H: 3,
        ConvN: 16, ConvD0: 4, ConvP: 16, ConvM: 32, ConvH: 3, ConvQ: 3, KernelN: 100, KernelH: 4, PeakSize: 512);

    public const double CRes = 0.5;

    public NetworkConfig Config(string kind) => kind switch
    {
        "convresnet" => new NetworkConfig(Architecture.Parse(kind), ConvH, ConvM, ConvD0, new Softplus(), CRes, ConvP, ConvQ),
        _ => new NetworkConfig(Architecture.Parse(kind), H, M, D, new Softplus(), CRes),
    };

    public int SampleCount(string kind) => kind == "convresnet" ? ConvN : N;
}
