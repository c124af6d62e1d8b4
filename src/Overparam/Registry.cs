namespace Overparam;

/// <summary>
/// A thread-safe, ordered set of named things (architectures, optimizers) that code looks up by name instead of
/// switching on it. Names and aliases are matched case-insensitively and must be unique.
/// </summary>
public sealed class Registry<T>(string what, Func<T, IEnumerable<string>> names, IEnumerable<T> builtIn) where T : class
{
    private readonly List<T> items = builtIn.ToList();
    private readonly Lock gate = new();

    /// <summary>Everything registered, in registration order.</summary>
    public IReadOnlyList<T> All
    {
        get { lock (gate) return items.ToArray(); }
    }

    /// <summary>The first name of each, in order.</summary>
    public IReadOnlyList<string> Names => All.Select(t => names(t).First()).ToArray();

    /// <summary>Adds one; throws <see cref="ArgumentException"/> when one of its names is taken.</summary>
    public void Register(T item)
    {
        lock (gate)
        {
            foreach (var name in names(item))
                if (items.Any(t => Matches(t, name)))
                    throw new ArgumentException($"{what} named \"{name}\" is already registered");
            items.Add(item);
        }
    }

    /// <summary>The one with this name or alias, or null.</summary>
    public T? TryParse(string name) => All.FirstOrDefault(t => Matches(t, name));

    private bool Matches(T item, string name) => names(item).Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
}
