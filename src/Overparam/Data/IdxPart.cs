namespace Overparam.Data;

/// <summary>Which file pair of an MNIST-style IDX directory to read.</summary>
public enum IdxPart
{
    /// <summary>train-images-idx3-ubyte and train-labels-idx1-ubyte (Fashion-MNIST: 60 000 samples).</summary>
    Train,
    /// <summary>t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, the held-out test set (Fashion-MNIST: 10 000 samples).</summary>
    Test,
}
