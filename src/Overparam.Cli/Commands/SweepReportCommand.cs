using System.CommandLine;
using Overparam.Experiments.Sweeps;

namespace Overparam.Cli.Commands;

/// <summary>`overparam sweep report DIR`: Markdown, LaTeX and CSV tables and width plots of a sweep folder.</summary>
public static class SweepReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder" };
        var output = new Option<string?>("--out") { Description = "Report folder (default DIR/report)" };
        var command = new Command("report", "Write summary tables (Markdown, LaTeX, CSV: mean ± sd over seeds, wall-clock) and plots of a sweep folder");
        command.Arguments.Add(dir);
        command.Options.Add(output);
        command.SetAction(r => SweepCommand.Guard(() =>
        {
            string d = r.GetValue(dir)!;
            var files = SweepReport.Write(d, r.GetValue(output) ?? Path.Combine(d, "report"));
            foreach (var f in files) Console.WriteLine(f);
            return 0;
        }));
        return command;
    }
}
