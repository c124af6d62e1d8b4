namespace Overparam.Data;

/// <summary>
/// A training set with an optional held-out test set, both with the same input shape and the same label convention.
/// </summary>
/// <param name="Train">The samples trained on.</param>
/// <param name="Test">The held-out samples evaluated on, or null when there are none.</param>
/// <param name="Classes">0: real labels (regression) or the ±1 labels of a binary task; C ≥ 2: the labels are class
/// ids 0 … C−1, stored as doubles in <see cref="Dataset.Y"/>.</param>
/// <param name="Description">What was loaded and applied, in words: files and sample order, seeds, the test set's origin,
/// the inputs' scaling (for config.json).</param>
public sealed record LabelledData(Dataset Train, Dataset? Test, int Classes, string Description);
