namespace Overparam.Experiments;

/// <summary>Bad input in a run's specification or data (the CLI exits with code 2 and prints the message).</summary>
public sealed class RunSpecException(string message, Exception? inner = null) : Exception(message, inner);
