using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Tests.Upgrade;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Commands;

/// <summary>
/// The exactly-once journal when run.json cannot be written after a command ran (its scan took the disk's last
/// pages): the portal still hears the true outcome, once, and the journal closes the command when the disk has room,
/// in the same run or after a restart, without a second report ("interrupted") in its place.
/// </summary>
public sealed class CommandJournalTests
{
    private const string Outcome = "scan done: 5 device(s), 5 answered, batch 0123456789abcdef0123456789abcdef";
    private DirectoryInfo _directory = null!;
    private FakePortal _portal = null!;
    private HttpClient _http = null!;
    private AgentPaths _paths = null!;
    private PortalSession _session = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("osp-command-journal-");
        _portal = new FakePortal();
        _http = new HttpClient(_portal);
        _paths = new AgentPaths(Path.Combine(_directory.FullName, "state"), Path.Combine(_directory.FullName, "logs"), Path.Combine(_directory.FullName, "config"));
        _paths.EnsureCreated();
        _session = new PortalSession(FakePortal.Url, Guid.NewGuid(), "agent-token");
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _portal.Dispose();
        _directory.Delete(recursive: true);
    }

    private string RunJson => _paths.State("run.json");

    /// <summary>The runner as one run of the agent has it, with a scan command whose run leaves run.json unwritable.</summary>
    private (CommandRunner Runner, RunStateStore RunState) StartAgent()
    {
        var client = new PortalClient(_http);
        var runState = new RunStateStore(_paths);
        var outbox = new FileOutbox(_paths.OutboxDirectory, new OutboxLimits(), TimeProvider.System, NullLogger<FileOutbox>.Instance);
        var runner = new CommandRunner(new CommandQueue(), new CommandJournal(client, runState, outbox, NullLogger<CommandJournal>.Instance),
            [new DiskFillingScan(BlockRunJson)], new AgentStages(TimeProvider.System), TimeProvider.System, NullLogger<CommandRunner>.Instance);
        return (runner, runState);
    }

    /// <summary>
    /// run.json keeps what it holds but cannot be replaced: it is put aside and a non-empty directory stands in its
    /// name, so the rename over it fails with an IOException, as a write to a full disk does (the real full disk, a
    /// tmpfs, is FullDiskTests').
    /// </summary>
    private void BlockRunJson()
    {
        File.Move(RunJson, RunJson + ".kept");
        Directory.CreateDirectory(Path.Combine(RunJson, "full"));
    }

    /// <summary>Room again: run.json as the disk kept it, writable.</summary>
    private void GiveRoomBack()
    {
        Directory.Delete(RunJson, recursive: true);
        File.Move(RunJson + ".kept", RunJson);
    }

    private static PendingCommand Scan(long id) => new(id, CommandType.ForceDiscoveryScan, null, DateTime.UtcNow);

    [Test]
    public async Task An_outcome_run_json_cannot_record_is_reported_once_and_closed_when_the_disk_has_room()
    {
        var (runner, runState) = StartAgent();

        await runner.RunAsync(_session, Scan(9), CancellationToken.None);

        Assert.That(_portal.Completed, Is.EqualTo(new[] { (9L, true, (string?)Outcome) }), "the true outcome, reported though run.json could not record it");
        Assert.That(runState.Current.OpenCommands.Select(c => c.Id), Is.EqualTo(new[] { 9L }), "still open: run.json could not close it");

        await runner.ReviewAsync(_session, CancellationToken.None);
        Assert.That(runState.Current.OpenCommands.Select(c => c.Id), Is.EqualTo(new[] { 9L }), "the disk still full");

        GiveRoomBack();
        await runner.ReviewAsync(_session, CancellationToken.None);

        Assert.That(runState.Current.OpenCommands, Is.Empty, "closed once run.json can be written");
        Assert.That(new RunStateStore(_paths).Current.OpenCommands, Is.Empty, "and so on disk");
        Assert.That(_portal.Completed, Has.Count.EqualTo(1), "nothing reported twice");
    }

    [Test]
    public async Task Restarted_before_the_disk_had_room_the_agent_closes_it_and_the_portal_keeps_the_true_outcome()
    {
        var (runner, _) = StartAgent();
        await runner.RunAsync(_session, Scan(11), CancellationToken.None);
        GiveRoomBack();

        (runner, RunStateStore runState) = StartAgent();
        Assert.That(runState.Current.OpenCommands.Single(), Is.EqualTo(new OpenCommand(11, (int)CommandType.ForceDiscoveryScan)), "taken on, no outcome recorded");
        await runner.ReviewAsync(_session, CancellationToken.None);

        Assert.That(runState.Current.OpenCommands, Is.Empty);
        Assert.That(_portal.Completed, Is.EqualTo(new[] { (11L, true, (string?)Outcome) }), "the portal refused the review's \"interrupted\" (409)");
    }

    /// <summary>A forced scan whose batch takes the disk's last pages: it succeeds, and run.json can no longer be written.</summary>
    private sealed class DiskFillingScan(Action fillDisk) : ICommandHandler
    {
        public CommandType Type => CommandType.ForceDiscoveryScan;

        public Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
        {
            fillDisk();
            return Task.FromResult(CommandResult.Done(true, Outcome));
        }
    }
}
