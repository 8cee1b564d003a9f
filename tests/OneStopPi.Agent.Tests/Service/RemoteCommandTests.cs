using System.Text.RegularExpressions;
using OneStopPi.Contracts;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The remote commands end to end: an operator queues them through the portal's operator API, the
/// running agent polls, runs and reports them, and the portal holds the outcome (and the result ZIP
/// for logs and walks). Commands the operator API refuses (unknown type, bad parameter) are put in
/// the portal's table directly, as a newer or broken portal would send them. One agent serves the
/// fixture; restart (type 1) has its own fixture.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class RemoteCommandTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private AgentHome _home = null!;
    private AgentProcess _agent = null!;
    private PortalProcess _portal = null!;
    private SiteCreated _site = null!;
    private Guid _agentId;

    [OneTimeSetUp]
    public async Task StartAgentAsync()
    {
        await ServicePeers.FleetAsync();
        _portal = await ServicePeers.PortalAsync();
        _site = await SiteSetup.CreateSiteAsync(_portal, "Commands", SiteSetup.FleetConfig());
        _home = new AgentHome("commands");
        _home.Configure(_portal, _site.EnrolmentKey);
        _agent = _home.Start();
        _agentId = await SiteSetup.AssignWhenEnrolledAsync(_portal, _home, _agent, _site);
    }

    [OneTimeTearDown]
    public async Task StopAgentAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _home?.Dispose();
    }

    [Test]
    public async Task Force_scan_runs_a_discovery_scan_and_uploads_it()
    {
        CommandView queued = await _portal.Operator.QueueCommandAsync(_agentId, 2);

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, queued.Id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("completed"), done.Message);
        Match outcome = ScanDone().Match(done.Message ?? "");
        Assert.That(outcome.Success, Is.True, done.Message);
        Assert.That(outcome.Groups["devices"].Value, Is.EqualTo("5"));
        string batchId = outcome.Groups["batch"].Value;
        await Eventually.TrueAsync(async () => (await _portal.Database.BatchesAsync(_home.HardwareId)).Any(b => b.BatchKey == batchId),
            TimeSpan.FromSeconds(30), $"batch {batchId} in the portal", _agent.Tail);
        Assert.That((await _portal.Operator.DevicesAsync(_site.SiteId)).Select(d => d.Ip).Order(), Is.EqualTo(ServicePeers.Recordings.Select(ServicePeers.Address)));
    }

    [Test]
    public async Task Upload_logs_puts_a_zip_of_the_log_files_on_the_portal()
    {
        CommandView queued = await _portal.Operator.QueueCommandAsync(_agentId, 3);

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, queued.Id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("completed"), done.Message);
        Assert.That(done.ResultSize, Is.GreaterThan(0));
        Dictionary<string, string> zip = await _portal.Operator.CommandResultAsync(queued.Id);
        Assert.That(zip.Keys, Has.Some.Match(@"^onestoppi-\d{8}(_\d+)?\.log$"));
        Assert.That(string.Concat(zip.Values), Does.Contain("Enrolled with the portal as agent"));
        Assert.That(string.Concat(zip.Values), Does.Match($"Remote command {queued.Id}: \"?UploadLogFiles"));

        // The portal completed the command with the result; the agent neither fails it afterwards nor keeps the zip aside.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That((await _portal.Operator.CommandAsync(_agentId, queued.Id)).State, Is.EqualTo("completed"));
        Assert.That(_agent.Output, Does.Not.Contain($"refused batch {queued.Id} for good"));
        Assert.That(Directory.Exists(Path.Combine(_home.OutboxDirectory, "rejected")) ? Directory.GetFiles(Path.Combine(_home.OutboxDirectory, "rejected")) : [], Is.Empty);
    }

    [Test]
    public async Task Delete_logs_removes_all_but_the_current_log_file()
    {
        string[] old = [Path.Combine(_home.LogsDirectory, "onestoppi-20200101.log"), Path.Combine(_home.LogsDirectory, "onestoppi-20200102.log")];
        foreach (string file in old)
        {
            await File.WriteAllTextAsync(file, "an old day's log\n");
            File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        }

        CommandView queued = await _portal.Operator.QueueCommandAsync(_agentId, 4);
        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, queued.Id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("completed"), done.Message);
        Assert.That(done.Message, Does.Match(@"^deleted \d+ log file\(s\); the current one is kept$"));
        Assert.That(old.Where(File.Exists), Is.Empty);
        string[] left = Directory.GetFiles(_home.LogsDirectory);
        Assert.That(left, Has.Length.EqualTo(1));
        Assert.That(Path.GetFileName(left[0]), Does.Match(@"^onestoppi-\d{8}(_\d+)?\.log$"));

        // The agent keeps logging to it.
        CommandView probe = await _portal.Operator.QueueCommandAsync(_agentId, 5, "normal");
        await _portal.Operator.WaitForCommandAsync(_agentId, probe.Id, CommandTimeout);
        Assert.That(_home.LogText(), Does.Contain($"Remote command {probe.Id}"));
    }

    [Test]
    public async Task Set_log_mode_switches_between_the_three_modes()
    {
        foreach (string mode in new[] { "debug", "verbose", "normal" })
        {
            CommandView queued = await _portal.Operator.QueueCommandAsync(_agentId, 5, mode);
            CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, queued.Id, CommandTimeout);
            Assert.That(done.State, Is.EqualTo("completed"), done.Message);
            Assert.That(done.Message, Is.EqualTo($"log mode {mode}"));
        }
    }

    [Test]
    public async Task Set_log_mode_with_a_bad_parameter_fails_with_the_reason()
    {
        long id = await _portal.Database.InsertCommandAsync(_home.HardwareId, 5, "loud");

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("failed"));
        Assert.That(done.Message, Is.EqualTo("unknown log mode 'loud' (normal, verbose, debug)"));
    }

    [Test]
    public async Task Walk_puts_the_text_walk_of_the_device_on_the_portal()
    {
        string ip = ServicePeers.Address("utax");
        CommandView queued = await _portal.Operator.QueueCommandAsync(_agentId, 6, ip);

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, queued.Id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("completed"), done.Message);
        Dictionary<string, string> zip = await _portal.Operator.CommandResultAsync(queued.Id);
        Assert.That(zip.Keys, Is.EqualTo(new[] { $"walk-{ip}.txt" }));
        string walk = zip[$"walk-{ip}.txt"];
        Assert.That(WalkedOids(walk), Is.EquivalentTo(RecordedOids("utax")));
        Assert.That(walk, Does.Contain(".1.3.6.1.2.1.1.1.0 = STRING: \"TA_UTAX Printing System\""));
    }

    [Test]
    public async Task Walk_from_a_start_oid_stays_in_that_subtree()
    {
        string ip = ServicePeers.Address("utax");
        CommandView queued = await _portal.Operator.QueueCommandAsync(_agentId, 6, $"{ip} 1.3.6.1.2.1.43");

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, queued.Id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("completed"), done.Message);
        string walk = (await _portal.Operator.CommandResultAsync(queued.Id))[$"walk-{ip}.txt"];
        string[] expected = [.. RecordedOids("utax").Where(o => o.StartsWith("1.3.6.1.2.1.43.", StringComparison.Ordinal))];
        Assert.That(expected, Is.Not.Empty);
        Assert.That(WalkedOids(walk), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Walk_with_a_parameter_that_is_not_an_address_fails_with_the_reason()
    {
        long id = await _portal.Database.InsertCommandAsync(_home.HardwareId, 6, "printer.example");

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("failed"));
        // The contract's sentence: the portal refuses the same parameter with it when an operator queues it.
        Assert.That(done.Message, Is.EqualTo(
            "walk-mib needs an IP address, optionally with :port, then optionally a space and the OID to start from; 'printer.example' is not that"));
        Assert.That(CommandRules.CheckParameter(CommandType.WalkMib, "printer.example"), Is.EqualTo(done.Message));
    }

    [Test]
    public async Task An_unknown_command_type_fails_with_the_reason()
    {
        long id = await _portal.Database.InsertCommandAsync(_home.HardwareId, 9, null);

        CommandView done = await _portal.Operator.WaitForCommandAsync(_agentId, id, CommandTimeout);

        Assert.That(done.State, Is.EqualTo("failed"));
        Assert.That(done.Message, Is.EqualTo("unknown command type 9"));
        Assert.That(_agent.HasExited, Is.False, "an unknown command does not upset the agent");
    }

    private static IEnumerable<string> WalkedOids(string walk) =>
        walk.Split('\n').Select(l => WalkLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["oid"].Value);

    private static IEnumerable<string> RecordedOids(string recording) =>
        File.ReadLines(Path.Combine(RepoPaths.SampleWalks, recording + ".snmprec")).Where(l => l.Contains('|', StringComparison.Ordinal)).Select(l => l.Split('|')[0]);

    [GeneratedRegex(@"^scan done: (?<devices>\d+) device\(s\), (?<answered>\d+) answered, batch (?<batch>[0-9a-f]{32})$")]
    private static partial Regex ScanDone();

    [GeneratedRegex(@"^\.(?<oid>\d+(\.\d+)+) = ")]
    private static partial Regex WalkLine();
}
