using System.Diagnostics;
using System.Text;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// A private link for the LAN tests, so broadcast and multicast never leave the machine: a client
/// network namespace with a bridge (198.18.0.1/24, RFC 2544 benchmarking space) and three agent
/// namespaces, each joined to the bridge by a veth pair (198.18.0.2, .3, .4; MACs ending 00:0a, 00:0b, 00:0a), each
/// running <c>onestoppi run</c> with its own state and the default ports. Root only; always torn down.
/// </summary>
internal sealed class LanNamespaces : IAsyncDisposable
{
    public const string ClientAddress = "198.18.0.1";
    private readonly List<Process> _agents = [];
    private readonly List<string> _namespaces = [];
    private readonly string _root;

    private LanNamespaces(string prefix, string root)
    {
        Prefix = prefix;
        _root = root;
    }

    public string Prefix { get; }

    public string Client => Prefix + "hub";

    public static IReadOnlyList<(string Suffix, string Address, string Mac)> Agents { get; } =
        [("a", "198.18.0.2", "02:00:5e:00:00:0a"), ("b", "198.18.0.3", "02:00:5e:00:00:0b"), ("c", "198.18.0.4", "02:00:5e:01:00:0a")];

    /// <summary>The mDNS names they end up with: c's MAC ends like a's, so c finds onestop-000a taken when it probes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["onestop-000a", "onestop-000b", "onestop-000a-2"];

    /// <summary>Skips (or under CI fails) the tests where namespaces cannot be made: not root, or no iproute2.</summary>
    public static void Require()
    {
        Prerequisite.RequireRoot("creating network namespaces (ip netns add)");
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Prerequisite.Missing("ip is not installed (Debian package iproute2)");
        }
    }

    public static async Task<LanNamespaces> StartAsync()
    {
        string prefix = "osplan" + Guid.NewGuid().ToString("N")[..6];
        var lan = new LanNamespaces(prefix, Directory.CreateTempSubdirectory("onestoppi-lan-ns-").FullName);
        try
        {
            await lan.IpAsync("netns", "add", lan.Client);
            lan._namespaces.Add(lan.Client);
            await lan.IpAsync("-n", lan.Client, "link", "set", "lo", "up");
            await lan.IpAsync("-n", lan.Client, "link", "add", "br0", "type", "bridge");
            await lan.IpAsync("-n", lan.Client, "addr", "add", ClientAddress + "/24", "dev", "br0");
            await lan.IpAsync("-n", lan.Client, "link", "set", "br0", "up");
            foreach ((string suffix, string address, string mac) in Agents)
            {
                string ns = prefix + suffix;
                await lan.IpAsync("netns", "add", ns);
                lan._namespaces.Add(ns);
                await lan.IpAsync("-n", ns, "link", "set", "lo", "up");
                await lan.IpAsync("-n", ns, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", "p" + suffix, "netns", lan.Client);
                await lan.IpAsync("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
                await lan.IpAsync("-n", ns, "link", "set", "eth0", "up");
                await lan.IpAsync("-n", lan.Client, "link", "set", "p" + suffix, "master", "br0", "up");
            }

            foreach ((string suffix, _, _) in Agents)
            {
                await lan.StartAgentAsync(suffix);
            }

            return lan;
        }
        catch
        {
            await lan.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside the client namespace.</summary>
    public Task<ProcessResult> InClientAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        ExternalProcess.RunAsync("ip", ["netns", "exec", Client, fileName, .. arguments], timeout: timeout ?? TimeSpan.FromSeconds(60));

    public string Scratch(string name)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Stops the agent in namespace <paramref name="suffix"/> (SIGTERM: it says goodbye) and waits for it.</summary>
    public async Task StopAgentAsync(string suffix)
    {
        Process agent = _agents[Agents.ToList().FindIndex(a => a.Suffix == suffix)];
        if (!agent.HasExited)
        {
            await ExternalProcess.RunAsync("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await agent.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
    }

    public string AgentLog(string suffix) => File.ReadAllText(Path.Combine(_root, suffix, "stderr.log"));

    private async Task StartAgentAsync(string suffix)
    {
        string home = Path.Combine(_root, suffix);
        foreach (string dir in new[] { "state", "logs", "conf" })
        {
            Directory.CreateDirectory(Path.Combine(home, dir));
        }

        await File.WriteAllTextAsync(Path.Combine(home, "conf", "agent.json"), $"{{\"hardwareId\":\"lan-ns-{suffix}\"}}");
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["netns", "exec", Prefix + suffix, .. Command, "run"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["STATE_DIRECTORY"] = Path.Combine(home, "state");
        start.Environment["LOGS_DIRECTORY"] = Path.Combine(home, "logs");
        start.Environment["CONFIGURATION_DIRECTORY"] = Path.Combine(home, "conf");
        start.Environment.Remove("NOTIFY_SOCKET");
        Process agent = Process.Start(start) ?? throw new InvalidOperationException("cannot start the agent");
        _agents.Add(agent);
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string logPath = Path.Combine(home, "stderr.log");
        agent.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
                File.WriteAllText(logPath, log.ToString());
            }

            if (e.Data.Contains("mDNS: announced", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        agent.OutputDataReceived += (_, _) => { };
        agent.BeginErrorReadLine();
        agent.BeginOutputReadLine();
        Task exited = agent.WaitForExitAsync();
        // A bound against a hang, not a speed goal: on a busy machine the runtime's start alone took over 30 s.
        if (await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(120))) != ready.Task)
        {
            await Task.Delay(200); // the last lines of its output
            lock (log)
            {
                throw new InvalidOperationException($"the agent in {Prefix + suffix} did not announce itself (exited: {agent.HasExited}):\n{log}");
            }
        }
    }

    /// <summary>
    /// How to run onestoppi: the native binary named by $ONESTOPPI_AGENT_BINARY (e.g. artifacts/publish/linux-x64/onestoppi
    /// after scripts/check-aot, to test mDNS under Native AOT; relative to the repository), else the built onestoppi.dll on the dotnet host.
    /// </summary>
    public static string[] Command =>
        Environment.GetEnvironmentVariable("ONESTOPPI_AGENT_BINARY") is { Length: > 0 } binary
            ? [Path.GetFullPath(binary, RepoPaths.Root)]
            : [DotnetHost, Path.Combine(AppContext.BaseDirectory, "onestoppi.dll")];

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private async Task IpAsync(params string[] arguments)
    {
        ProcessResult result = await ExternalProcess.RunAsync("ip", arguments, timeout: TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {result}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Process agent in _agents)
        {
            if (!agent.HasExited)
            {
                agent.Kill(entireProcessTree: true); // only the processes this fixture started
                await agent.WaitForExitAsync();
            }

            agent.Dispose();
        }

        foreach (string ns in Enumerable.Reverse(_namespaces))
        {
            await ExternalProcess.RunAsync("ip", ["netns", "del", ns], timeout: TimeSpan.FromSeconds(20));
        }

        Directory.Delete(_root, recursive: true);
    }
}
