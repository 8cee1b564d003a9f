using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>Command 1: reports "restarting", then stops the process; systemd (Restart=always) brings it back.</summary>
public sealed partial class RestartAgentHandler(IHostApplicationLifetime lifetime, ILogger<RestartAgentHandler> logger) : ICommandHandler
{
    public CommandType Type => CommandType.RestartAgent;

    public Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken) =>
        Task.FromResult(CommandResult.Done(true, "restarting", () =>
        {
            LogRestarting(logger);
            lifetime.StopApplication();
        }));

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private static void LogRestarting(ILogger logger)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            logger.Log(LogLevel.Warning, new EventId(6003, nameof(LogRestarting)),
                "Restarting on the portal's command");
        }
    }
}
