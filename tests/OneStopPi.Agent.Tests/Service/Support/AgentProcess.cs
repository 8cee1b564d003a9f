using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// One agent box on disk, the systemd way: its state, logs and configuration directories under a
/// temporary folder, kept across process restarts. <see cref="Start"/> runs
/// <c>dotnet onestoppi.dll run</c> on it.
/// </summary>
internal sealed class AgentHome : IDisposable
{
    /// <summary>Short loop intervals (AgentTimings) so a test waits seconds, not minutes.</summary>
    public const string FastTimings = "sync=0.2,scheduler=0.2,heartbeat=1,config=5,unassignedConfig=0.3,uploadIdle=1,uploadRetryFloor=0.2,uploadRetryCap=1";

    public AgentHome(string name)
    {
        Root = Directory.CreateTempSubdirectory($"osp-svc-{name}-").FullName;
        HardwareId = $"test-{name}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(StateDirectory);
        Directory.CreateDirectory(LogsDirectory);
        Directory.CreateDirectory(ConfigurationDirectory);

        // The LAN face (HTTP, discovery responder, mDNS) stays off: many agents run side by side here, and
        // mDNS would announce on the machine's own network, which a test must never send to.
        File.WriteAllText(Path.Combine(ConfigurationDirectory, "agent.json"), """{ "lan": { "enabled": false } }""");
    }

    public string Root { get; }

    public string HardwareId { get; }

    public string StateDirectory => Path.Combine(Root, "state");

    public string LogsDirectory => Path.Combine(Root, "logs");

    public string ConfigurationDirectory => Path.Combine(Root, "config");

    public string OutboxDirectory => Path.Combine(StateDirectory, "outbox");

    /// <summary>The file whose existence tells the agent its clock is synchronised (ONESTOPPI_TIMESYNC_FLAG).</summary>
    public string TimesyncFlag => Path.Combine(Root, "timesync-synchronized");

    public void ClockSynchronised() => File.WriteAllText(TimesyncFlag, "");

    /// <summary>
    /// Turns the LAN face on in agent.json, bound to 127.0.0.1 only and without mDNS (which would announce on the
    /// machine's own network), for a test that reads the agent's status page or API.
    /// </summary>
    public void EnableLanOnLoopback(int httpPort, int discoveryPort)
    {
        string path = Path.Combine(ConfigurationDirectory, "agent.json");
        JsonObject settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        settings["lan"] = new JsonObject
        {
            ["enabled"] = true,
            ["bindAddress"] = "127.0.0.1",
            ["httpPort"] = httpPort,
            ["discoveryPort"] = discoveryPort,
            ["mdns"] = false,
        };
        File.WriteAllText(path, settings.ToJsonString());
    }

    /// <summary>
    /// agent.json: the portal, the site's enrolment key, the pinned certificate and the hardware id; the UDP port
    /// printers are polled on when the test's printers are not on 161.
    /// </summary>
    public void Configure(PortalProcess portal, string enrolmentKey, int? snmpPort = null)
    {
        var settings = new JsonObject
        {
            ["portalUrl"] = portal.Url.ToString(),
            ["enrolmentKey"] = enrolmentKey,
            ["pinnedSha256"] = portal.CertificateSha256,
            ["hardwareId"] = HardwareId,
            ["lan"] = new JsonObject { ["enabled"] = false },
        };
        if (snmpPort is int port)
        {
            settings["snmpPort"] = port;
        }

        File.WriteAllText(Path.Combine(ConfigurationDirectory, "agent.json"), settings.ToJsonString());
    }

    /// <summary>The log files' text, all of them.</summary>
    public string LogText() =>
        string.Concat(Directory.EnumerateFiles(LogsDirectory).Order(StringComparer.Ordinal).Select(ReadShared));

    /// <summary>The token from state/enrolment.json.</summary>
    public string Token()
    {
        using JsonDocument state = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDirectory, "enrolment.json")));
        return state.RootElement.GetProperty("token").GetString()!;
    }

    public AgentProcess Start(IReadOnlyDictionary<string, string?>? environment = null) => new(this, environment);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a temporary directory
        }
    }

    internal static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary><c>onestoppi run</c> as a process on an <see cref="AgentHome"/>; killed by PID at the end.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    public AgentProcess(AgentHome home, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["STATE_DIRECTORY"] = home.StateDirectory,
            ["LOGS_DIRECTORY"] = home.LogsDirectory,
            ["CONFIGURATION_DIRECTORY"] = home.ConfigurationDirectory,
            ["ONESTOPPI_TIMINGS"] = AgentHome.FastTimings,
            ["ONESTOPPI_TIMESYNC_FLAG"] = home.TimesyncFlag,
        };
        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        _process = ChildProcess.StartDotnet($"agent {home.HardwareId}", BuildOutputs.Agent, ["run"], variables, home.Root);
    }

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    /// <summary>Console output (the agent writes every level there as well as to its log files).</summary>
    public string Output => _process.Output;

    public Task<Match> WaitForLogAsync(string text, TimeSpan? timeout = null) => _process.WaitForOutputAsync(text, timeout ?? TimeSpan.FromSeconds(60));

    public Task<Match> WaitForLogAsync(Regex pattern, TimeSpan? timeout = null, int occurrences = 1) =>
        _process.WaitForOutputAsync(pattern, timeout ?? TimeSpan.FromSeconds(60), occurrences);

    public Task<int> TerminateAsync(TimeSpan? timeout = null) => _process.TerminateAsync(timeout ?? TimeSpan.FromSeconds(30));

    public Task KillAsync() => _process.KillAsync();

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public string Tail() => _process.Tail();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
