using System.CommandLine;
using Overparam.Cli.Commands;

namespace Overparam.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("overparam: gradient descent on over-parameterized deep networks (Du, Lee, Li, Wang, Zhai, ICML 2019)");
        foreach (var command in CommandRegistry.All()) root.Subcommands.Add(command);
        return root.Parse(args).Invoke();
    }
}
