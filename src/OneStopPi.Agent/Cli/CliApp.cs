using System.CommandLine;

namespace OneStopPi.Agent.Cli;

/// <summary>Builds the <c>onestoppi</c> command tree.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        using MemoryReport? memory = MemoryReport.StartIfAsked(Console.Error);
        var root = new RootCommand("OneStopPi printer-fleet collection agent")
        {
            SnmpCommands.Get(),
            SnmpCommands.Walk(),
            ScanCommand.Create(),
            RunCommand.Create(),
            SimulateCommand.Create(),
            DiscoverCommand.Create(),
            UpgradeHelperCommand.Create(),
        };
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A command line we cannot run: one line and exit code 2, as for every other usage error.
            return CliErrors.Usage(string.Join(" ", parse.Errors.Select(e => e.Message).Distinct()));
        }

        // `simulate` is a server that handles SIGINT/SIGTERM itself and stops at once; System.CommandLine's own
        // handler would hold the exit back for its termination timeout.
        InvocationConfiguration? configuration = parse.CommandResult.Command.Name == "simulate"
            ? new InvocationConfiguration { ProcessTerminationTimeout = null }
            : null;
        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }
}
