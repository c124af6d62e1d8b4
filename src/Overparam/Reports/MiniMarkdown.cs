using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Overparam.Reports;

/// <summary>
/// The little Markdown that report paragraphs may use, turned into HTML: `code`, **bold**, and a paragraph whose
/// every line starts with "- " becomes a bullet list. Everything else is HTML-escaped text.
/// </summary>
public static partial class MiniMarkdown
{
    /// <summary>HTML for one paragraph (a &lt;p&gt; or a &lt;ul&gt;).</summary>
    public static string ParagraphToHtml(string paragraph)
    {
        var lines = paragraph.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length > 0 && lines.All(l => l.TrimStart().StartsWith("- ")))
        {
            var sb = new StringBuilder("<ul>");
            foreach (var line in lines) sb.Append("<li>").Append(Inline(line.TrimStart()[2..])).Append("</li>");
            return sb.Append("</ul>").ToString();
        }
        return "<p>" + Inline(paragraph) + "</p>";
    }

    /// <summary>Escapes text and renders `code` and **bold** spans.</summary>
    public static string Inline(string text)
    {
        string html = WebUtility.HtmlEncode(text);
        html = Code().Replace(html, "<code>$1</code>");
        return Bold().Replace(html, "<strong>$1</strong>");
    }

    /// <summary>Text made safe for one Markdown table cell (pipes escaped, line breaks flattened).</summary>
    public static string TableCell(string text) => text.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();
}
