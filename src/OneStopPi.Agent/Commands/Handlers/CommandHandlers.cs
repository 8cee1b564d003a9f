using Microsoft.Extensions.DependencyInjection;

namespace OneStopPi.Agent.Commands.Handlers;

public static class CommandHandlers
{
    /// <summary>One handler per command type; a test registers its own after these to replace one.</summary>
    public static IServiceCollection AddCommandHandlers(this IServiceCollection services)
    {
        services.AddSingleton<ICommandHandler, RestartAgentHandler>();
        services.AddSingleton<ICommandHandler, ForceScanHandler>();
        services.AddSingleton<ICommandHandler, UploadLogsHandler>();
        services.AddSingleton<ICommandHandler, DeleteLogsHandler>();
        services.AddSingleton<ICommandHandler, SetLogModeHandler>();
        services.AddSingleton<ICommandHandler, WalkMibHandler>();
        services.AddSingleton<ICommandHandler, UpgradeCommandHandler>();
        return services;
    }
}
