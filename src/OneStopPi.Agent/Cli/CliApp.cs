using System.CommandLine;

namespace OneStopPi.Agent.Cli;

/// <summary>Builds the <c>onestoppi</c> command tree.</summary>
internal static class CliApp
{
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("OneStopPi printer-fleet collection agent")
        {
            SnmpCommands.Get(),
            SnmpCommands.Walk(),
            ScanCommand.Create(),
            RunCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
