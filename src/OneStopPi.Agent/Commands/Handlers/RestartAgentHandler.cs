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

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Restarting on the portal's command")]
    private static partial void LogRestarting(ILogger logger);
}
