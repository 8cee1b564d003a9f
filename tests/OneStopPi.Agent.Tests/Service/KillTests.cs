using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The agent killed with SIGKILL (a power cut for everything not yet on disk) at random points over
/// many cycles of "force a scan", then started once more: every batch that reached the outbox is
/// stored by the portal, none twice, each whole. Kill points are drawn from a seeded generator and
/// spread over start-up, the scan, and the window between outbox and upload.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class KillTests
{
    /// <summary>Kill cycles: 15 in the normal suite; scripts/check-crash-safety runs 100 (OSP_KILL_CYCLES).</summary>
    private static readonly int Cycles = int.TryParse(Environment.GetEnvironmentVariable("OSP_KILL_CYCLES"), out int cycles) && cycles > 0 ? cycles : 15;

    /// <summary>The kill points' seed: fixed in the normal suite, any seed (printed) through OSP_KILL_SEED.</summary>
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("OSP_KILL_SEED"), out int seed) ? seed : 20261125;
    private AgentHome _home = null!;
    private AgentProcess? _agent;

    [SetUp]
    public void SetUp() => _home = new AgentHome("kill");

    [TearDown]
    public async Task TearDown()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _home.Dispose();
    }

    [Test]
    public async Task Killed_at_random_points_it_loses_no_reading_and_the_portal_stores_none_twice()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Kill", SiteSetup.FleetConfig());
        _home.Configure(portal, site.EnrolmentKey);
        Directory.CreateDirectory(_home.OutboxDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var outbox = new OutboxWatcher(_home.OutboxDirectory);
        var random = new Random(Seed);
        TestContext.Out.WriteLine($"kill seed {Seed}, {Cycles} cycles (rerun: OSP_KILL_SEED={Seed} OSP_KILL_CYCLES={Cycles})");
        var commands = new List<long>();
        var consoles = new List<string>();

        _agent = _home.Start();
        Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(portal, _home, _agent, site);
        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            _agent ??= _home.Start();
            CommandView scan = await portal.Operator.QueueCommandAsync(agentId, 2);
            commands.Add(scan.Id);
            int phase = random.Next(3);
            double fraction = random.NextDouble();
            string where = await WaitForKillPointAsync(_agent, scan.Id, phase, fraction);
            await _agent.KillAsync();
            TestContext.Out.WriteLine($"cycle {cycle}: command {scan.Id}, killed {where}");
            consoles.Add(_agent.Output);
            await _agent.DisposeAsync();
            _agent = null;
        }

        // Back for good: it reports what was cut short, scans once more and empties the outbox.
        _agent = _home.Start();
        CommandView last = await portal.Operator.QueueCommandAsync(agentId, 2);
        commands.Add(last.Id);
        Assert.That((await portal.Operator.WaitForCommandAsync(agentId, last.Id, TimeSpan.FromSeconds(90))).Message, Does.StartWith("scan done: "), _agent.Tail());
        await Eventually.TrueAsync(async () =>
                (await portal.Operator.CommandsAsync(agentId)).Where(c => commands.Contains(c.Id)).All(c => c.Finished)
                && outbox.Pending().Count == 0,
            TimeSpan.FromSeconds(90), "every command finished and the outbox empty", () => _agent.Tail());
        consoles.Add(_agent.Output);
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());

        string logFile = _home.LogText();
        string logs = logFile + string.Concat(consoles);
        var reachedOutbox = new HashSet<string>(outbox.Seen, StringComparer.Ordinal);
        reachedOutbox.UnionWith(ScanDone().Matches(logs).Select(m => m.Groups["batch"].Value));
        reachedOutbox.UnionWith(Uploaded().Matches(logs).Select(m => m.Groups["batch"].Value));
        IReadOnlyList<StoredBatch> stored = await portal.Database.BatchesAsync(_home.HardwareId);
        string[] storedKeys = [.. stored.Select(b => b.BatchKey)];
        TestContext.Out.WriteLine($"{reachedOutbox.Count} batch(es) reached the outbox, {stored.Count} stored, {stored.Sum(b => b.ReadingRows)} reading(s)");

        Assert.That(outbox.Failure, Is.Null, "the outbox watch lost events");
        Assert.Multiple(() =>
        {
            Assert.That(reachedOutbox, Is.Not.Empty, "the kills left some scans alive");
            Assert.That(reachedOutbox.Except(storedKeys), Is.Empty, "lost: in the outbox, never stored");
            Assert.That(storedKeys, Is.Unique, "a batch stored twice");
            Assert.That(storedKeys.Except(reachedOutbox), Is.Empty, "stored without having been seen in the outbox (the watch missed it)");
            foreach (StoredBatch batch in stored)
            {
                Assert.That(batch.Scans, Is.EqualTo(1), $"batch {batch.BatchKey}: one document");
                Assert.That(batch.ReadingRows, Is.EqualTo(batch.ReadingCount), $"batch {batch.BatchKey}: stored whole");
            }

            // Each batch holds what the scan found, as the agent logged it.
            foreach (Match done in ScanDone().Matches(logFile))
            {
                StoredBatch batch = stored.Single(b => b.BatchKey == done.Groups["batch"].Value);
                Assert.That(batch.ReadingCount, Is.EqualTo(int.Parse(done.Groups["devices"].Value, System.Globalization.CultureInfo.InvariantCulture)), batch.BatchKey);
            }
        });

        // The portal's readings are exactly the batches' readings, spread over the five printers.
        IReadOnlyDictionary<long, int> perDevice = await portal.Database.ReadingsPerDeviceAsync(_home.HardwareId);
        Assert.That(perDevice.Values.Sum(), Is.EqualTo(stored.Sum(b => b.ReadingCount)));
        Assert.That(perDevice.Keys.ToArray(), Has.Length.EqualTo(5).And.Not.Contains(-1L));
        Assert.That(perDevice.Values.Max(), Is.LessThanOrEqualTo(stored.Count), "no device read twice in a batch");

        // Commands: each ran to the end or was reported as interrupted by the kill; none ran twice.
        CommandView[] finished = [.. (await portal.Operator.CommandsAsync(agentId)).Where(c => commands.Contains(c.Id))];
        Assert.Multiple(() =>
        {
            foreach (CommandView command in finished)
            {
                Assert.That(command.Message, Does.Match(@"^scan done: ").Or.EqualTo("interrupted by an agent restart; not run a second time"), $"command {command.Id}");
            }

            foreach (long id in commands)
            {
                Assert.That(Regex.Matches(logFile, $@"Remote command {id}: ""?ForceDiscoveryScan"), Has.Count.LessThanOrEqualTo(1), $"command {id} started twice");
            }
        });
        Assert.That(Directory.GetFiles(_home.StateDirectory, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no torn writes left behind");
    }

    [Test]
    public async Task Temporary_files_of_a_write_cut_short_are_cleared_at_start()
    {
        string leftover = Path.Combine(_home.StateDirectory, $".run.json.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(leftover, "{\"lastMeterDay\":");

        _agent = _home.Start();
        await _agent.WaitForLogAsync("No portal URL or enrolment key");

        Assert.That(File.Exists(leftover), Is.False);
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());
    }

    /// <summary>Waits for the randomly drawn moment to kill; returns where that was.</summary>
    private static async Task<string> WaitForKillPointAsync(AgentProcess agent, long commandId, int phase, double fraction)
    {
        try
        {
            switch (phase)
            {
                case 0:
                    await Task.Delay(TimeSpan.FromSeconds(3 * fraction));
                    return $"{3 * fraction:F2} s after start";
                case 1:
                    await agent.WaitForLogAsync(new Regex($@"Remote command {commandId}: "), TimeSpan.FromSeconds(30));
                    await Task.Delay(TimeSpan.FromSeconds(1.5 * fraction));
                    return $"{1.5 * fraction:F2} s into the scan";
                default:
                    await agent.WaitForLogAsync(new Regex($@"scan \(command {commandId}\) done"), TimeSpan.FromSeconds(30));
                    await Task.Delay(TimeSpan.FromSeconds(0.3 * fraction));
                    return $"{0.3 * fraction:F2} s after the batch reached the outbox";
            }
        }
        catch (TimeoutException)
        {
            return $"after waiting in vain for phase {phase}";
        }
    }

    [GeneratedRegex(@"scan \([^)]*\) done: (?<devices>\d+) device\(s\), \d+ answered, batch (?<batch>[0-9a-f]{32})")]
    private static partial Regex ScanDone();

    [GeneratedRegex(@"Uploaded ""?Meter""? batch (?<batch>[0-9a-f]{32})")]
    private static partial Regex Uploaded();

    /// <summary>Records every batch file that appears in the outbox (the writer renames it into place).</summary>
    private sealed class OutboxWatcher : IDisposable
    {
        private readonly FileSystemWatcher _watcher;
        private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
        private readonly string _directory;

        public OutboxWatcher(string directory)
        {
            _directory = directory;
            _watcher = new FileSystemWatcher(directory, "*.zip") { NotifyFilter = NotifyFilters.FileName, InternalBufferSize = 64 * 1024 };
            _watcher.Created += (_, e) => Record(e.Name);
            _watcher.Renamed += (_, e) => Record(e.Name);
            _watcher.Error += (_, e) => Failure ??= e.GetException();
            _watcher.EnableRaisingEvents = true;
        }

        /// <summary>Set when the watch lost events (inotify overflow): the evidence would be incomplete.</summary>
        public Exception? Failure { get; private set; }

        /// <summary>Batch IDs of meter batches seen in the outbox.</summary>
        public IEnumerable<string> Seen => _seen.Keys;

        /// <summary>Batches in the outbox now.</summary>
        public IReadOnlyList<string> Pending() => Directory.GetFiles(_directory, "*.zip");

        public void Dispose() => _watcher.Dispose();

        private void Record(string? name)
        {
            // {sequence}.{kind}.{key}.zip
            string[] parts = (name ?? "").Split('.');
            if (parts is [_, "meter", var key, "zip"])
            {
                _seen.TryAdd(key, 0);
            }
        }
    }
}
