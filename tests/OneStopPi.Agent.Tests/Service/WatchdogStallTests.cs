using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// Issue 17, watchdog: a scan that hangs in the real process stops the watchdog pings, so systemd (WatchdogSec) would
/// restart the agent. No systemd here (PID 1 is not systemd): the test binds the NOTIFY_SOCKET datagram socket itself,
/// as <see cref="SystemdNotifyTests"/> does, with WATCHDOG_USEC=2000000 (WatchdogSec=2, pings every second) and the
/// scan stage's stall limit at 3 s (ONESTOPPI_TIMINGS scanStall=3; 30 min in production). The hang is real blocking
/// I/O, as a failing SD card gives: state/devices.json replaced by a FIFO no one writes to, so the scan blocks in
/// open(2) reading the registry. The other stages keep beating; the pings stop; WatchdogSec after the last one is
/// when systemd kills and restarts the service. Its own portal on 127.0.0.1:18586; no printer is needed (the scan
/// hangs before it reads any).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class WatchdogStallTests
{
    private const int PortalPort = 18586;
    private static readonly TimeSpan WatchdogSec = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(3);

    [Test]
    public async Task A_scan_blocked_on_io_stops_the_watchdog_pings_while_the_other_stages_run()
    {
        await using PortalProcess portal = await PortalProcess.StartAsync(PortalPort);
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Watchdog", SiteSetup.FleetConfig());
        using var home = new AgentHome("watchdog");
        home.Configure(portal, site.EnrolmentKey);
        string notifyPath = Path.Combine(home.Root, "notify");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var clock = Stopwatch.StartNew();
        var pings = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        Task listening = ListenAsync(systemd, clock, pings, stop.Token);

        // The registry is a FIFO from the start: the first scan (the day's missed meter scan, or the command below)
        // blocks opening it.
        await RunAsync("mkfifo", Path.Combine(home.StateDirectory, "devices.json"));
        AgentProcess agent = home.Start(new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = notifyPath,
            ["WATCHDOG_USEC"] = ((long)WatchdogSec.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ONESTOPPI_TIMINGS"] = AgentHome.FastTimings + $",scanStall={StallLimit.TotalSeconds}",
        });
        try
        {
            Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(portal, home, agent, site);
            // The first ping comes within a ping interval of the host's start; an enrolment quicker than that (a quiet
            // machine) is not a missing ping, so wait for it (a hang guard, not a timing goal).
            Assert.That(await PingedWithinAsync(pings, TimeSpan.FromSeconds(15)), Is.True, "pinging while healthy");
            CommandView scan = await portal.Operator.QueueCommandAsync(agentId, 2);
            Match started = await agent.WaitForLogAsync(new Regex($@"Daily meter scan for \S+ is due|Remote command {scan.Id}: ForceDiscoveryScan"));
            TimeSpan hungAt = clock.Elapsed;
            TestContext.Out.WriteLine($"the scan that hangs: {started.Value}");
            Match stalled = await agent.WaitForLogAsync(new Regex(@"Stage 'scan worker' has shown no life for (\S+) "), TimeSpan.FromSeconds(60));
            TimeSpan reported = clock.Elapsed;
            DateTime heartbeatAtStall = (await portal.Operator.AgentsAsync()).Single(a => a.Id == agentId).LastHeartbeatAt ?? throw new AssertionException("no heartbeat before the stall");
            await Task.Delay(WatchdogSec * 3); // three WatchdogSec without a ping: systemd would have restarted it
            DateTime? heartbeatLater = (await portal.Operator.AgentsAsync()).Single(a => a.Id == agentId).LastHeartbeatAt;
            TimeSpan lastPing;
            lock (pings)
            {
                lastPing = pings[^1];
            }

            TimeSpan silence = clock.Elapsed - lastPing;
            TestContext.Out.WriteLine($"scan hung at {hungAt.TotalSeconds:F1} s; stall reported at {reported.TotalSeconds:F1} s; last ping at {lastPing.TotalSeconds:F1} s "
                + $"({(lastPing - hungAt).TotalSeconds:F1} s after the hang); systemd restart due at {(lastPing + WatchdogSec - hungAt).TotalSeconds:F1} s after the hang "
                + $"(stall limit {StallLimit.TotalSeconds} s + WatchdogSec {WatchdogSec.TotalSeconds} s); silence so far {silence.TotalSeconds:F1} s");
            Assert.Multiple(() =>
            {
                Assert.That(silence, Is.GreaterThan(WatchdogSec * 2), "no ping since the stall: systemd's WatchdogSec runs out");
                Assert.That(lastPing - hungAt, Is.LessThan(StallLimit + WatchdogSec), "pings stop within the stall limit (plus one ping interval)");
                Assert.That(TimeSpan.Parse(stalled.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(StallLimit),
                    "not before the stall limit (the agent's own measure of the silence)");
                Assert.That(agent.HasExited, Is.False, "the process itself is up: only systemd's restart ends it");
                Assert.That(heartbeatLater, Is.GreaterThan(heartbeatAtStall), "the portal sync stage still beats (heartbeats go on)");
                Assert.That(Regex.Matches(agent.Output, "Stage 'scan worker' has shown no life"), Has.Count.EqualTo(1), "said once");
            });
        }
        finally
        {
            // Stopped by PID (SIGKILL ends a thread blocked opening a FIFO), as systemd's watchdog would.
            await agent.DisposeAsync();
            await stop.CancelAsync();
            systemd.Dispose();
            await Task.WhenAny(listening, Task.Delay(TimeSpan.FromSeconds(5)));
        }
    }

    private static async Task<bool> PingedWithinAsync(List<TimeSpan> pings, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (PingCount(pings) == 0)
        {
            if (waited.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static int PingCount(List<TimeSpan> pings)
    {
        lock (pings)
        {
            return pings.Count;
        }
    }

    private static async Task ListenAsync(Socket socket, Stopwatch clock, List<TimeSpan> pings, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (Encoding.UTF8.GetString(buffer, 0, length).Split('\n').Contains("WATCHDOG=1"))
            {
                lock (pings)
                {
                    pings.Add(clock.Elapsed);
                }
            }
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{file}: {error}");
    }
}
