using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// Issue 17, full disk: the agent's state directory (outbox, registry, journals) on a 4 MiB tmpfs of its own that the
/// test fills to the last page. A batch already in the outbox survives and reaches the portal when it is back; a scan
/// on the full disk fails with one clear error, the process and its stages keep running, the heartbeat says
/// outboxFull; the space back, the next scan is stored and uploaded and outboxFull clears. Its own portal
/// (127.0.0.1:18587, stopped and started again) and the LAN face on 127.0.0.1:18588/18589 (no mDNS), so a
/// technician's scan can be asked for while the portal is down.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class FullDiskTests
{
    private const int PortalPort = 18587;
    private const int HttpPort = 18588;
    private const int DiscoveryPort = 18589;
    private AgentHome _home = null!;
    private AgentProcess? _agent;
    private PortalProcess? _portal;
    private bool _mounted;

    [SetUp]
    public void SetUp() => _home = new AgentHome("fulldisk");

    [TearDown]
    public async Task TearDown()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }

        if (_mounted)
        {
            await RunAsync("umount", _home.StateDirectory);
        }

        _home.Dispose();
    }

    [Test]
    public async Task A_full_disk_loses_no_stored_batch_is_reported_and_the_agent_catches_up_when_space_returns()
    {
        await ServicePeers.FleetAsync();
        Prerequisite.RequireRoot("mounting a small tmpfs for the agent's state directory");
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "proofs-fulldisk", _home.StateDirectory);
        _mounted = true;
        string filler = Path.Combine(_home.StateDirectory, "filler");

        _portal = await PortalProcess.StartAsync(PortalPort);
        SiteCreated site = await SiteSetup.CreateSiteAsync(_portal, "Full disk", SiteSetup.FleetConfig());
        _home.Configure(_portal, site.EnrolmentKey);
        _home.EnableLanOnLoopback(HttpPort, DiscoveryPort);
        _agent = _home.Start();
        Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(_portal, _home, _agent, site);
        int pid = _agent.Pid;

        // 1. Room on the disk: a forced scan is stored and uploaded.
        string first = await ForcedScanBatchAsync(agentId);
        await WaitForStoredAsync(first);

        // 2. The portal down: a technician's scan waits in the outbox.
        await _portal.StopAsync();
        using HttpClient lan = LanClient();
        (await lan.PostAsync("api/scan", null)).EnsureSuccessStatusCode();
        Match held = await _agent.WaitForLogAsync(ScanDone("LAN request"), TimeSpan.FromSeconds(90));
        string heldKey = held.Groups["batch"].Value;
        string heldFile = Directory.GetFiles(_home.OutboxDirectory, $"*.meter.{heldKey}.zip").Single();
        byte[] heldBytes = await File.ReadAllBytesAsync(heldFile);

        // 3. The disk full to the last page: the next scan's batch cannot be stored.
        long filled = FillUp(filler);
        TestContext.Out.WriteLine($"filled the 4 MiB state file system with {filled} bytes");
        (await lan.PostAsync("api/scan", null)).EnsureSuccessStatusCode();
        await _agent.WaitForLogAsync(ScanFailed("LAN request"), TimeSpan.FromSeconds(90));
        Assert.Multiple(() =>
        {
            Assert.That(_agent.Output, Does.Match(@"Outbox: the disk is full \(.*\) and nothing else is left to drop; Meter batch [0-9a-f]{32} \(\d+ bytes\) is lost, the batches already stored are kept"));
            Assert.That(File.ReadAllBytes(heldFile), Is.EqualTo(heldBytes), "the batch stored before the disk filled is untouched");
            Assert.That(_agent.HasExited, Is.False, "the agent keeps running");
        });

        // 4. The portal back: the held batch is uploaded (that frees its pages: the test takes them again). The portal
        //    stores it before it answers and the agent deletes the file after: filling up between the two would leave
        //    the file's pages free, and run.json could then take on step 5's command.
        await _portal.StartAgainAsync();
        await WaitForStoredAsync(heldKey);
        await Eventually.TrueAsync(() => !File.Exists(heldFile), TimeSpan.FromSeconds(30), $"{heldFile} deleted once uploaded", _agent.Tail);
        FillUp(filler);

        // 5. The heartbeat says the outbox is full; a forced scan cannot even be taken on (run.json cannot record it), so
        //    it is not acknowledged and stays queued on the portal.
        await Eventually.TrueAsync(async () => (await AgentAsync(agentId)).OutboxFull is true, TimeSpan.FromSeconds(30),
            "a heartbeat with outboxFull", _agent.Tail);
        CommandView waiting = await _portal.Operator.QueueCommandAsync(agentId, 2);
        await _agent.WaitForLogAsync($"Remote command {waiting.Id} could not be completed", TimeSpan.FromSeconds(60));
        Assert.That((await _portal.Operator.CommandAsync(agentId, waiting.Id)).Finished, Is.False, "not run, not reported: it waits");

        // 6. Space back: the waiting command runs once, its batch is stored and uploaded, outboxFull clears.
        File.Delete(filler);
        long back = Stopwatch.GetTimestamp();
        CommandView ran = await _portal.Operator.WaitForCommandAsync(agentId, waiting.Id, TimeSpan.FromSeconds(90));
        Match lastBatch = BatchOf().Match(ran.Message ?? "");
        Assert.That(lastBatch.Success, Is.True, $"command {waiting.Id}: {ran.Message}\n{_agent.Tail()}");
        string last = lastBatch.Groups[1].Value;
        await WaitForStoredAsync(last);
        TestContext.Out.WriteLine($"space back to the waiting scan's batch stored by the portal: {Stopwatch.GetElapsedTime(back).TotalSeconds:F1} s");
        await Eventually.TrueAsync(async () => (await AgentAsync(agentId)).OutboxFull is false, TimeSpan.FromSeconds(30),
            "a heartbeat without outboxFull", _agent.Tail);

        TestContext.Out.WriteLine($"errors logged while full: {Regex.Matches(_agent.Output, "disk is full").Count} lost batch(es), "
            + $"{Regex.Matches(_agent.Output, "could not be saved").Count} registry write(s), {Regex.Matches(_agent.Output, $"Remote command {waiting.Id} could not be completed").Count} command take-on(s)");
        IReadOnlyList<StoredBatch> stored = await _portal.Database.BatchesAsync(_home.HardwareId);
        Assert.Multiple(() =>
        {
            foreach (string key in new[] { first, heldKey, last })
            {
                StoredBatch batch = stored.Single(b => b.BatchKey == key);
                Assert.That(batch.ReadingRows, Is.EqualTo(5).And.EqualTo(batch.ReadingCount), $"batch {key}: the five printers, whole");
            }

            Assert.That(stored.Select(b => b.BatchKey), Is.Unique);
            Assert.That(Regex.Matches(_agent.Output, $@"Remote command {waiting.Id}: ForceDiscoveryScan"), Has.Count.EqualTo(1), "run once");
            Assert.That(_agent.Pid, Is.EqualTo(pid));
            Assert.That(_agent.HasExited, Is.False);
            Assert.That(_agent.Output, Does.Contain("Outbox: the disk has room again"));
            Assert.That(_agent.Output, Does.Not.Contain("' failed; restarting it"), "no stage needed a restart");
            Assert.That(_agent.Output, Does.Not.Contain("Unhandled exception"));
            Assert.That(Directory.GetFiles(_home.OutboxDirectory, "*.zip"), Is.Empty, "the outbox drained");
        });
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());
    }

    private async Task<string> ForcedScanBatchAsync(Guid agentId)
    {
        CommandView scan = await _portal!.Operator.QueueCommandAsync(agentId, 2);
        CommandView done = await _portal.Operator.WaitForCommandAsync(agentId, scan.Id, TimeSpan.FromSeconds(90));
        Match batch = BatchOf().Match(done.Message ?? "");
        Assert.That(batch.Success, Is.True, $"command {scan.Id}: {done.Message}\n{_agent!.Tail()}");
        return batch.Groups[1].Value;
    }

    private async Task WaitForStoredAsync(string batchKey) =>
        await Eventually.TrueAsync(async () => (await _portal!.Database.BatchesAsync(_home.HardwareId)).Any(b => b.BatchKey == batchKey),
            TimeSpan.FromSeconds(60), $"batch {batchKey} stored", _agent!.Tail);

    private async Task<AgentView> AgentAsync(Guid agentId) => (await _portal!.Operator.AgentsAsync()).Single(a => a.Id == agentId);

    private HttpClient LanClient()
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        string key = File.ReadAllText(Path.Combine(_home.StateDirectory, "setup-key")).Trim();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Appends zeros page by page until the file system says it is full; the bytes written.</summary>
    private static long FillUp(string path)
    {
        const long Bound = 64L * 1024 * 1024; // far above the 4 MiB mount: a bound, not a size
        byte[] page = new byte[4096];
        long written = 0;
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (written < Bound)
            {
                stream.Write(page);
                written += page.Length;
            }
        }
        catch (IOException e) when (e.HResult == 28 || e.Message.Contains("No space left", StringComparison.Ordinal))
        {
            return written;
        }

        throw new InvalidOperationException($"{path}: {written} bytes written and the disk is still not full");
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)}: {error}");
    }

    private static Regex ScanDone(string reason) => new($@"Meter scan \({Regex.Escape(reason)}\) done: \d+ device\(s\), \d+ answered, batch (?<batch>[0-9a-f]{{32}})");

    private static Regex ScanFailed(string reason) => new($@"Meter scan \({Regex.Escape(reason)}\) failed");

    [GeneratedRegex(@"^scan done: 5 device\(s\), 5 answered, batch ([0-9a-f]{32})$")]
    private static partial Regex BatchOf();
}
