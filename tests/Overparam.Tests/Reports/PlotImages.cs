using System.Net;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace Overparam.Tests.Reports;

/// <summary>Checks on rendered images shared by the report tests.</summary>
internal static partial class PlotImages
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Asserts that <paramref name="bytes"/> is a PNG of a plausible size whose central region (the plot area)
    /// holds several colors, some of them saturated (the series, not just gray axes and grid).
    /// The region is the left 10%–70% of the width at full height: the legend (drawn at the right) is left out.
    /// </summary>
    public static void AssertNonBlankPng(byte[] bytes, int? width = null, int? height = null)
    {
        Assert.True(bytes.Length > 2000, $"PNG has only {bytes.Length} bytes.");
        Assert.Equal(PngSignature, bytes[..8]);
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        if (width is int w) Assert.Equal(w, bitmap.Width);
        if (height is int h) Assert.Equal(h, bitmap.Height);

        var colors = new HashSet<uint>();
        int saturated = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = bitmap.Width / 10; x < bitmap.Width * 7 / 10; x++)
            {
                var c = bitmap.GetPixel(x, y);
                colors.Add((uint)c);
                int max = Math.Max(c.Red, Math.Max(c.Green, c.Blue)), min = Math.Min(c.Red, Math.Min(c.Green, c.Blue));
                if (max - min > 60) saturated++;
            }
        Assert.True(colors.Count > 1, "The plot area has a single color.");
        Assert.True(saturated > 50, $"Only {saturated} colored pixels in the plot area: no data drawn?");
    }

    /// <summary>All text content of the &lt;text&gt; elements of an SVG, decoded, joined by newlines.</summary>
    public static string SvgText(string svg) =>
        string.Join("\n", TextElement().Matches(svg).Select(m => WebUtility.HtmlDecode(Regex.Replace(m.Groups[1].Value, "<[^>]+>", ""))));

    /// <summary>The text as it should appear in <see cref="SvgText"/>.</summary>
    public static string SvgTextOf(string text) => text;

    [GeneratedRegex("<text[^>]*>(.*?)</text>", RegexOptions.Singleline)]
    private static partial Regex TextElement();
}
