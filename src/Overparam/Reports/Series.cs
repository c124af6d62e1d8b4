namespace Overparam.Reports;

/// <summary>
/// One named curve of a plot: the points (X[i], Y[i]) in raw (un-logged) units.
/// The name is the legend text and the <c>series</c> column of the plot's CSV.
/// </summary>
public sealed record Series
{
    public Series(string name, double[] x, double[] y, SeriesStyle style = SeriesStyle.LineMarkers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length)
            throw new ArgumentException($"Series '{name}': X has {x.Length} values but Y has {y.Length}.");
        Name = name;
        X = x;
        Y = y;
        Style = style;
    }

    /// <summary>Legend text; also the <c>series</c> column of the CSV.</summary>
    public string Name { get; }

    /// <summary>Raw x values.</summary>
    public double[] X { get; }

    /// <summary>Raw y values (same length as <see cref="X"/>).</summary>
    public double[] Y { get; }

    /// <summary>Line / marker style.</summary>
    public SeriesStyle Style { get; }

    /// <summary>Optional ± error of each Y (e.g. the standard deviation over seeds), drawn as error bars; same length as Y.</summary>
    public double[]? YError
    {
        get => yError;
        init
        {
            if (value is not null && value.Length != Y.Length)
                throw new ArgumentException($"Series '{Name}': YError has {value.Length} values but Y has {Y.Length}.");
            yError = value;
        }
    }

    private readonly double[]? yError;
}
