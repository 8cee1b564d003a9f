using System.CommandLine;
using Microsoft.Extensions.Hosting;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Cli;

/// <summary><c>onestoppi run</c>: the agent service, as systemd starts it.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "run the agent service (scheduled scans, uploads, remote commands); systemd starts this");
        command.SetAction(async (parse, cancellationToken) =>
        {
            AgentPaths paths = AgentPaths.FromEnvironment();
            Configuration.AgentSettings settings;
            try
            {
                settings = await AgentHost.LoadSettingsAsync(paths).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"onestoppi: {e.Message}").ConfigureAwait(false);
                return CliErrors.UsageError;
            }

            IHost host;
            try
            {
                host = AgentHost.Build(paths, settings);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"onestoppi: {e.Message}").ConfigureAwait(false);
                return CliErrors.UsageError;
            }

            using IDisposable running = host;
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
