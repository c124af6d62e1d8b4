using System.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// A model with batch normalization (docs/mathematics.md §2.6): besides its trained parameters it keeps buffers, the
/// running statistics, which are saved beside the parameters (init, final and checkpoint files) but never trained, and it
/// runs in one of two modes. With <see cref="BatchStatistics"/> (training) a forward pass normalizes with the batch's own
/// statistics and updates the running ones; without (evaluation, and training once the statistics are frozen) it
/// normalizes with the running statistics as constants and changes nothing.
/// </summary>
public interface IBatchNormModel<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>bn{h}.running_mean and bn{h}.running_var per normalized layer, in the order of <see cref="NetworkFactory.BufferShapes"/>.</summary>
    IReadOnlyList<Parameter<T>> Buffers { get; }

    /// <summary>True: PyTorch's <c>model.train()</c>; false: <c>model.eval()</c>. A network starts in evaluation mode.</summary>
    bool BatchStatistics { get; set; }
}
