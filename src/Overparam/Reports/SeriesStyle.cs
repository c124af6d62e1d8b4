namespace Overparam.Reports;

/// <summary>How a <see cref="Series"/> is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>Solid line through the points, no markers.</summary>
    Line,
    /// <summary>Markers only, no line.</summary>
    Markers,
    /// <summary>Solid line with a marker at each point.</summary>
    LineMarkers,
    /// <summary>Dashed line, no markers (bounds, theory curves, fits).</summary>
    Dashed,
}
