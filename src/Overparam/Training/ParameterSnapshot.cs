using System.Numerics;
using Overparam.Architectures;

namespace Overparam.Training;

/// <summary>
/// A copy of a model's trained parameters taken before each update, so that a run that diverges at step k can be put
/// back to θ(k − 1), the last parameters whose loss was finite and within bounds. Parameters that do not train never
/// change and are not copied; a batch-normalized model's buffers (running statistics) are copied with them.
/// </summary>
internal sealed class ParameterSnapshot<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<Parameter<T>> parameters;
    private readonly T[]?[] copies;

    /// <summary>The step whose parameters the copy holds; −1 before the first <see cref="Take"/>.</summary>
    public int Step { get; private set; } = -1;

    public ParameterSnapshot(IModel<T> model, IReadOnlyList<bool>? trained)
    {
        var buffers = (model as IBatchNormModel<T>)?.Buffers ?? [];
        parameters = [.. model.Parameters, .. buffers];
        copies = parameters.Select((p, i) => i >= model.Parameters.Count || trained is null || trained[i] ? new T[p.Value.Length] : null).ToArray();
    }

    /// <summary>Copies θ(<paramref name="step"/>).</summary>
    public void Take(int step)
    {
        for (int i = 0; i < copies.Length; i++)
            if (copies[i] is { } copy) parameters[i].Value.AsSpan().CopyTo(copy);
        Step = step;
    }

    /// <summary>Puts the copied parameters back into the model; false (nothing changed) when no copy was taken.</summary>
    public bool Restore()
    {
        if (Step < 0) return false;
        for (int i = 0; i < copies.Length; i++)
            if (copies[i] is { } copy) copy.AsSpan().CopyTo(parameters[i].Value);
        return true;
    }
}
