using Microsoft.Extensions.DependencyInjection;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.Agent.Lan.Mdns;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

/// <summary>Registers the LAN face (docs/lan-discovery.md): status page/API, UDP discovery responder, mDNS.</summary>
public static class LanServices
{
    /// <summary>The scan pipeline as the LAN face sees it: each outcome and its readings noted for /status and /devices.</summary>
    public static IScanPipeline Recording(IServiceProvider services, IScanPipeline pipeline) =>
        new RecordingScanPipeline(pipeline, services.GetRequiredService<ScanHistory>(), services.GetRequiredService<LastReadings>(), services.GetRequiredService<TimeProvider>());

    public static IServiceCollection AddLan(this IServiceCollection services, AgentPaths paths, LanSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(SetupKey.LoadOrCreate(paths));
        services.AddSingleton<ScanHistory>();
        services.AddSingleton<DiscoveryCounters>();
        services.AddSingleton(new ReplyRates());
        services.AddSingleton<LastReadings>();
        services.AddSingleton<ILocalDeviceSource>(sp => new KnownDevicesSource(paths, sp.GetRequiredService<LastReadings>()));
        services.AddSingleton(sp => LanIdentity.From(sp.GetRequiredService<HardwareIdentity>()));
        services.AddSingleton<LanName>();
        services.AddSingleton<LanStatusService>();
        if (!settings.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => new AgentStopper(sp.GetRequiredService<IHostApplicationLifetime>()));
        services.AddSingleton(sp => new LanEndpoints(sp.GetRequiredService<LanStatusService>(), sp.GetRequiredService<Portal.PortalLink>(),
            sp.GetRequiredService<AgentSettings>(), paths, sp.GetRequiredService<Hosting.LogControl>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelWriter<ScanJob>>(), sp.GetRequiredService<AgentStopper>(), sp.GetRequiredService<ILogger<LanStatusService>>()));
        services.AddSingleton(sp => new LanHttpServer(settings, sp.GetRequiredService<LanEndpoints>(),
            new SetupKeyFilter(sp.GetRequiredService<SetupKey>(), sp.GetRequiredService<ILogger<SetupKeyFilter>>()),
            sp.GetRequiredService<ILogger<LanHttpServer>>(), sp.GetRequiredService<Hosting.AgentStages>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DiscoveryResponder>();
        services.AddHostedService(sp => sp.GetRequiredService<LanHttpServer>());
        services.AddHostedService(sp => sp.GetRequiredService<DiscoveryResponder>());
        if (settings.Mdns)
        {
            services.AddSingleton<MdnsResponder>();
            services.AddHostedService(sp => sp.GetRequiredService<MdnsResponder>());
        }

        return services;
    }
}
