using System.CommandLine;

namespace Overparam.Cli.Commands;

/// <summary>Every subcommand of `overparam`, in the order --help lists them.</summary>
public static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return TrainCommand.Create();
        yield return KernelCommand.Create();
        yield return GramCommand.Create();
        yield return FlatnessCommand.Create();
        yield return VerifyCommand.Create();
        yield return SweepCommand.Create();
        yield return CriticalWidthCommand.Create();
        yield return OnlineCommand.Create();
        yield return ExpressivityCommand.Create();
    }
}
