using Overparam.Experiments;
using Spectre.Console;

namespace Overparam.Cli.Commands;

/// <summary>A progress bar with loss and steps/s on a terminal; plain lines every few seconds when output is redirected.</summary>
public static class ProgressDisplay
{
    public static T Run<T>(bool quiet, string title, Func<IProgress<RunProgress>?, T> body)
    {
        if (quiet) return body(null);
        if (Console.IsErrorRedirected || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return body(new PlainProgress(title));
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                result = body(new Progress<RunProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.MaxSteps);
                    task.Value = p.Step;
                    task.Description = Markup.Escape($"{title}  step {p.Step}  loss {p.Loss:G4}  {p.StepsPerSecond:F1} steps/s");
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class PlainProgress(string title) : IProgress<RunProgress>
    {
        private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
        private double lastPrinted = double.NegativeInfinity;

        public void Report(RunProgress p)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (now - lastPrinted < 5 && p.Step != 0 && p.Step != p.MaxSteps) return;
            lastPrinted = now;
            Console.Error.WriteLine($"{title}: step {p.Step}/{p.MaxSteps} loss {p.Loss:G6} ({p.StepsPerSecond:F1} steps/s)");
        }
    }
}
