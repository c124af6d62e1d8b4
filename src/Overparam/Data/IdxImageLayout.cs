namespace Overparam.Data;

/// <summary>
/// How an IDX image [rows, cols] becomes one input. The features are the pixels in row-major order in every
/// layout; only <see cref="Dataset.InputShape"/> differs (and with it how the conv net reads the row,
/// channel-major: feature c·p + l).
/// </summary>
public enum IdxImageLayout
{
    /// <summary>A vector x ∈ R^{rows·cols}: InputShape [rows·cols] (fully-connected network, ResNet).</summary>
    Flat,
    /// <summary>One channel, one position per pixel: InputShape [1, rows·cols] (d0 = 1, p = rows·cols).</summary>
    ImageAsPositions,
    /// <summary>Each image row is a channel, each column a position: InputShape [rows, cols] (d0 = rows, p = cols).</summary>
    RowsAsChannels,
}
