using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Commands.Handlers;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upload;
using OneStopPi.Agent.Upgrade;
using OneStopPi.Collection;
using OneStopPi.Collection.Discovery;
using OneStopPi.Snmp.Transport;
using Serilog;
using Serilog.Events;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// Wires the agent service: the stages (scheduler → worker(discovery → collection → reading →
/// outbox) → uploader), the portal link, remote commands, logging and the systemd integration.
/// </summary>
public static class AgentHost
{
    /// <param name="time">The system clock (tests: a clock that can be wrong); the agent's own time is <see cref="SiteClock"/> over it.</param>
    /// <param name="configure">Tests replace services here (the clock-synchronisation check); nothing in the product passes it.</param>
    public static IHost Build(AgentPaths paths, AgentSettings settings, TimeProvider? time = null, Func<string, string?>? getVariable = null,
        Action<IServiceCollection>? configure = null)
    {
        time ??= TimeProvider.System;
        getVariable ??= Environment.GetEnvironmentVariable;
        AgentTimings timings = AgentTimings.FromEnvironment(getVariable);
        paths.EnsureCreated();
        // A power cut (or SIGKILL) during an atomic write leaves its temporary file behind.
        AtomicFile.DeleteLeftovers(paths.StateDirectory);

        var logControl = new LogControl(paths.LogsDirectory);
        Serilog.Core.Logger logger = CreateLogger(logControl);

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        IServiceCollection services = builder.Services;
        // Serilog behind Microsoft.Extensions.Logging through our small bridge (SerilogBridge says why); the
        // container disposes it at the end, which flushes and closes the log file.
        services.AddLogging();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(_ => new SerilogBridge(logger, dispose: true)));
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(20);
            // The stages restart themselves after a failure (SupervisedStage, where the policy is written down).
            // Anything else that fails (the watchdog, the log-mode follower, the LAN responders) stops the
            // process, and systemd (Restart=always) starts it again: never a process that looks alive with a dead part.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        // systemd: READY=1 / STOPPING=1 through NOTIFY_SOCKET (sd_notify(3)), whatever our parent
        // process is (UseSystemd() looks at the parent and would stay silent under a test harness).
        if (!string.IsNullOrEmpty(getVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        else
        {
            services.AddSingleton<ISystemdNotifier, DisabledNotifier>();
        }

        var jobs = Channel.CreateBounded<ScanJob>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        // The agent's time of day is the SiteClock (NTP's, else the portal's); ClockSynchronisation looks at the raw clock.
        TimeProvider system = time;
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SiteClock>());
        services.AddSingleton(sp => new SiteClock(system, sp.GetRequiredService<ClockSynchronisation>()));
        services.AddSingleton(timings);
        services.AddSingleton(new Random());
        services.AddSingleton(paths);
        services.AddSingleton(settings);
        services.AddSingleton(logControl);
        services.AddSingleton(AgentVersion.FromAssembly());
        services.AddSingleton(HardwareIdentity.Detect(settings.HardwareId));
        services.AddSingleton(jobs.Reader);
        services.AddSingleton(jobs.Writer);
        services.AddSingleton<AgentStages>();
        // Where the NTP daemon says "synchronised" (ClockSynchronisation); systemd-timesyncd's flag unless told otherwise.
        string? timesyncFlag = getVariable(ClockSynchronisation.FlagVariable);
        services.AddSingleton(sp => string.IsNullOrEmpty(timesyncFlag) ? new ClockSynchronisation(system) : new ClockSynchronisation(system, timesyncFlag));
        services.AddSingleton<RunStateStore>();
        services.AddSingleton(sp => new FileOutbox(paths.OutboxDirectory, new OutboxLimits(), time, sp.GetRequiredService<ILogger<FileOutbox>>()));
        services.AddSingleton(sp => new SnmpClient(new SnmpClientOptions { TimeProvider = time }));
        services.AddSingleton(sp => new PortalClient(new HttpClient(PortalHttpHandler.Create(settings)) { Timeout = TimeSpan.FromMinutes(2) }));
        services.AddSingleton(sp => new PortalLink(settings, paths, sp.GetRequiredService<PortalClient>(), sp.GetRequiredService<HardwareIdentity>(),
            sp.GetRequiredService<AgentVersion>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PortalLink>>()));
        services.AddSingleton(new UpgradePaths(paths.StateDirectory, UpgradePaths.DefaultHelperDirectory, UpgradePaths.ReleaseKeyFrom(getVariable)));
        services.AddSingleton<IPackageInspector, DpkgPackageInspector>();
        services.AddSingleton(sp => new UpgradeHandover(sp.GetRequiredService<PortalClient>(), sp.GetRequiredService<UpgradePaths>(),
            sp.GetRequiredService<IPackageInspector>(), sp.GetRequiredService<AgentVersion>(), sp.GetRequiredService<ILogger<UpgradeHandover>>(), time: time));
        services.AddSingleton<PortalContactFile>();
        services.AddSingleton<IDeviceCollector>(sp => new DeviceCollector(sp.GetRequiredService<SnmpClient>()));
        services.AddSingleton<IDiscoveryScanner>(sp => new DiscoveryScanner(new ProcNeighbourTable(), time, sp.GetRequiredService<ILogger<DiscoveryScanner>>()));
        services.AddSingleton<CommandQueue>();
        services.AddSingleton<CommandJournal>();
        services.AddCommandHandlers();
        services.AddSingleton<ScanPipeline>();
        services.AddSingleton<IScanPipeline>(sp => LanServices.Recording(sp, sp.GetRequiredService<ScanPipeline>()));
        services.AddSingleton<ScanWorker>();
        services.AddSingleton<Uploader>();
        // The LAN face first: hosted services start in this order, and /healthz should answer before the stages
        // have loaded their state (docs/benchmarks.md, "Footprint").
        services.AddLan(paths, settings.Lan);
        services.AddHostedService(sp => sp.GetRequiredService<ScanWorker>());
        services.AddHostedService<ScanScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<Uploader>());
        services.AddHostedService<PortalSync>();
        services.AddHostedService<CommandRunner>();
        services.AddHostedService<LogModeFollower>();
        services.AddHostedService(sp => new WatchdogService(sp.GetRequiredService<ISystemdNotifier>(), sp.GetRequiredService<AgentStages>(), time,
            sp.GetRequiredService<ILogger<WatchdogService>>(), getVariable));
        configure?.Invoke(services);
        return builder.Build();
    }

    /// <summary>Serilog configured in code (no reflection-based settings, no destructuring): files + console.</summary>
    private static Serilog.Core.Logger CreateLogger(LogControl control) => new LoggerConfiguration()
        .MinimumLevel.ControlledBy(control.Switch)
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
        .WriteTo.Console(outputTemplate: "{Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose)
        .WriteTo.File(Path.Combine(control.LogsDirectory, "onestoppi-.log"),
            rollingInterval: RollingInterval.Day, fileSizeLimitBytes: 10 * 1024 * 1024, rollOnFileSizeLimit: true, retainedFileCountLimit: 14,
            outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}")
        .CreateLogger();

    /// <summary>Reads agent.json (and, on first boot, onestoppi.json from the SD card's boot partition).</summary>
    public static async Task<AgentSettings> LoadSettingsAsync(AgentPaths paths, IEnumerable<string>? bootCandidates = null)
    {
        string agentJson = Path.Combine(paths.ConfigurationDirectory, "agent.json");
        if (!File.Exists(agentJson))
        {
            foreach (string candidate in bootCandidates ?? ["/boot/firmware/onestoppi.json", "/boot/onestoppi.json"])
            {
                if (File.Exists(candidate))
                {
                    Directory.CreateDirectory(paths.ConfigurationDirectory);
                    await AtomicFile.WriteAsync(agentJson, await File.ReadAllBytesAsync(candidate).ConfigureAwait(false)).ConfigureAwait(false);
                    break;
                }
            }
        }

        if (!File.Exists(agentJson))
        {
            return new AgentSettings();
        }

        try
        {
            return JsonSerializer.Deserialize(await File.ReadAllBytesAsync(agentJson).ConfigureAwait(false), AgentJsonContext.Default.AgentSettings) ?? new AgentSettings();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{agentJson} is not valid: {e.Message}", e);
        }
    }

    private sealed class DisabledNotifier : ISystemdNotifier
    {
        public bool IsEnabled => false;

        public void Notify(ServiceState state)
        {
        }
    }
}
