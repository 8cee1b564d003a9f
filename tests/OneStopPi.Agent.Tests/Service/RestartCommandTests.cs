using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Commands.Handlers;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upload;
using OneStopPi.Contracts;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// Command 1 (restart) with the agent as a process: it completes the command, exits cleanly (systemd's
/// Restart=always starts it again), and the next run does not restart again. Then the "each command
/// runs once" rule for commands taken on just before a crash, with the command runner in-process
/// against the same real portal.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class RestartCommandTests
{
    private readonly List<IAsyncDisposable> _running = [];
    private readonly List<IDisposable> _owned = [];

    [TearDown]
    public async Task TearDown()
    {
        foreach (IAsyncDisposable running in _running)
        {
            await running.DisposeAsync();
        }

        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        _running.Clear();
        _owned.Clear();
    }

    [Test]
    public async Task Restart_exits_cleanly_after_completing_and_the_next_run_does_not_restart_again()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Restart", SiteSetup.FleetConfig());
        var home = Own(new AgentHome("restart"));
        home.Configure(portal, site.EnrolmentKey);
        AgentProcess first = Run(home.Start());
        Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(portal, home, first, site);

        CommandView restart = await portal.Operator.QueueCommandAsync(agentId, 1);

        int exitCode = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.That(exitCode, Is.Zero, first.Tail());
        CommandView completed = await portal.Operator.CommandAsync(agentId, restart.Id);
        Assert.Multiple(() =>
        {
            Assert.That(completed.State, Is.EqualTo("completed"));
            Assert.That(completed.Message, Is.EqualTo("restarting"));
            Assert.That(first.Output, Does.Contain("Restarting on the portal's command"));
        });

        // What systemd does next: start it again. It keeps working (a later command runs) and does not restart again.
        AgentProcess second = Run(home.Start());
        CommandView probe = await portal.Operator.QueueCommandAsync(agentId, 5, "normal");
        Assert.That((await portal.Operator.WaitForCommandAsync(agentId, probe.Id)).State, Is.EqualTo("completed"));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few more command polls
        Assert.Multiple(() =>
        {
            Assert.That(second.HasExited, Is.False, second.Tail());
            Assert.That(second.Output, Does.Not.Contain($"Remote command {restart.Id}"));
            Assert.That(second.Output, Does.Not.Contain("Restarting on the portal's command"));
        });
        Assert.That((await portal.Operator.CommandAsync(agentId, restart.Id)).Message, Is.EqualTo("restarting"));
        Assert.That(await second.TerminateAsync(), Is.Zero, second.Tail());
    }

    [Test]
    public async Task A_command_taken_on_before_a_crash_is_reported_not_run_a_second_time()
    {
        InProcessAgent agent = await InProcessAgent.EnrolAsync(this, "crash-before-result");
        CommandView queued = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 3);
        PendingCommand delivered = (await agent.Client.PollCommandsAsync(agent.Session, CancellationToken.None)).Single(c => c.Id == queued.Id);
        // The crashed run had recorded it as started (and acknowledged it); nothing reached the outbox.
        await agent.RunState.UpdateAsync(s => s with { StartedCommands = [queued.Id] });
        await agent.Client.AcknowledgeCommandAsync(agent.Session, queued.Id, CancellationToken.None);

        await agent.Commands.RunAsync(agent.Session, delivered, CancellationToken.None);

        CommandView done = await agent.Portal.Operator.CommandAsync(agent.Id, queued.Id);
        Assert.That(done.State, Is.EqualTo("failed"));
        Assert.That(done.Message, Is.EqualTo("interrupted by an agent restart; not run a second time"));
        Assert.That(agent.Outbox.Count, Is.Zero, "the logs are not zipped a second time");
    }

    [Test]
    public async Task A_command_whose_result_was_in_the_outbox_at_the_crash_completes_with_that_result()
    {
        InProcessAgent agent = await InProcessAgent.EnrolAsync(this, "crash-after-result");
        CommandView queued = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 3);
        PendingCommand delivered = (await agent.Client.PollCommandsAsync(agent.Session, CancellationToken.None)).Single(c => c.Id == queued.Id);
        // The crashed run had finished the command: its result was durable in the outbox, not yet uploaded.
        await agent.RunState.UpdateAsync(s => s with { StartedCommands = [queued.Id] });
        await agent.Client.AcknowledgeCommandAsync(agent.Session, queued.Id, CancellationToken.None);
        OutboxItem result = (await agent.Outbox.AppendAsync(OutboxItemKind.CommandResult, queued.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InMemoryZip.Of([("onestoppi-20261125.log", "the log before the crash\n"u8.ToArray())])))!;

        // The portal delivers it again after the restart.
        await agent.Commands.RunAsync(agent.Session, delivered, CancellationToken.None);
        Assert.That((await agent.Portal.Operator.CommandAsync(agent.Id, queued.Id)).State, Is.EqualTo("acknowledged"), "not failed while its result is on the way");

        Assert.That(await agent.Uploader.TryUploadAsync(agent.Session, result, CancellationToken.None), Is.Null);

        CommandView done = await agent.Portal.Operator.CommandAsync(agent.Id, queued.Id);
        Assert.That(done.State, Is.EqualTo("completed"));
        Assert.That((await agent.Portal.Operator.CommandResultAsync(queued.Id))["onestoppi-20261125.log"], Is.EqualTo("the log before the crash\n"));
        Assert.That(agent.Outbox.Count, Is.Zero);
    }

    [Test]
    public async Task A_result_sent_again_after_a_crash_between_upload_and_removal_leaves_the_outbox()
    {
        InProcessAgent agent = await InProcessAgent.EnrolAsync(this, "result-twice");
        CommandView queued = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 3);
        byte[] zip = InMemoryZip.Of([("onestoppi-20261125.log", "a log\n"u8.ToArray())]);
        OutboxItem result = (await agent.Outbox.AppendAsync(OutboxItemKind.CommandResult, queued.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), zip))!;
        await using (var stream = new MemoryStream(zip))
        {
            await agent.Client.UploadCommandResultAsync(agent.Session, queued.Id, stream, CancellationToken.None); // sent, then the crash
        }

        Assert.That(await agent.Uploader.TryUploadAsync(agent.Session, result, CancellationToken.None), Is.Null, "no retry: the portal has it");

        Assert.That(agent.Outbox.Count, Is.Zero);
        Assert.That(Directory.Exists(Path.Combine(agent.Paths.OutboxDirectory, "rejected")), Is.False, "nothing put aside as refused");
        Assert.That((await agent.Portal.Operator.CommandAsync(agent.Id, queued.Id)).State, Is.EqualTo("completed"));
    }

    [Test]
    public async Task A_restart_taken_on_before_the_process_went_down_counts_as_done()
    {
        InProcessAgent agent = await InProcessAgent.EnrolAsync(this, "restart-interrupted");
        CommandView queued = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 1);
        PendingCommand delivered = (await agent.Client.PollCommandsAsync(agent.Session, CancellationToken.None)).Single(c => c.Id == queued.Id);
        await agent.RunState.UpdateAsync(s => s with { StartedCommands = [queued.Id] });

        await agent.Commands.RunAsync(agent.Session, delivered, CancellationToken.None);

        CommandView done = await agent.Portal.Operator.CommandAsync(agent.Id, queued.Id);
        Assert.That(done.State, Is.EqualTo("completed"));
        Assert.That(done.Message, Is.EqualTo("agent restarted"));
        Assert.That(agent.Lifetime.StopRequests, Is.Zero, "it does not restart a second time");
    }

    [Test]
    public async Task A_command_acknowledged_before_a_crash_is_reported_when_the_agent_is_back()
    {
        InProcessAgent agent = await InProcessAgent.EnrolAsync(this, "crash-after-ack");
        CommandView scan = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 2);
        CommandView restart = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 1);
        CommandView reportLost = await agent.Portal.Operator.QueueCommandAsync(agent.Id, 5, "debug");
        Assert.That((await agent.Client.PollCommandsAsync(agent.Session, CancellationToken.None)).Select(c => c.Id), Is.EqualTo(new[] { scan.Id, restart.Id, reportLost.Id }));
        // The run that crashed: all three taken on and acknowledged; the scan and the restart cut short,
        // the log mode set but its report lost with the portal.
        await agent.RunState.UpdateAsync(s => s with
        {
            StartedCommands = [scan.Id, restart.Id, reportLost.Id],
            OpenCommands = [new OpenCommand(scan.Id, 2), new OpenCommand(restart.Id, 1), new OpenCommand(reportLost.Id, 5, true, "log mode debug")],
        });
        foreach (long id in new[] { scan.Id, restart.Id, reportLost.Id })
        {
            await agent.Client.AcknowledgeCommandAsync(agent.Session, id, CancellationToken.None);
        }

        Assert.That(await agent.Client.PollCommandsAsync(agent.Session, CancellationToken.None), Is.Empty, "the portal does not deliver an acknowledged command again");

        await agent.Commands.ReviewAsync(agent.Session, CancellationToken.None);

        CommandView[] commands = await agent.Portal.Operator.CommandsAsync(agent.Id);
        Assert.Multiple(() =>
        {
            Assert.That(commands.Single(c => c.Id == scan.Id), Has.Property("State").EqualTo("failed").And.Property("Message").EqualTo("interrupted by an agent restart; not run a second time"));
            Assert.That(commands.Single(c => c.Id == restart.Id), Has.Property("State").EqualTo("completed").And.Property("Message").EqualTo("agent restarted"));
            Assert.That(commands.Single(c => c.Id == reportLost.Id), Has.Property("State").EqualTo("completed").And.Property("Message").EqualTo("log mode debug"));
            Assert.That(agent.RunState.Current.OpenCommands, Is.Empty);
            Assert.That(agent.Lifetime.StopRequests, Is.Zero);
        });
    }

    private T Own<T>(T owned)
        where T : IDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    private AgentProcess Run(AgentProcess process)
    {
        _running.Add(process);
        return process;
    }

    /// <summary>The agent's command and upload parts in this process, enrolled with the shared portal and assigned.</summary>
    private sealed class InProcessAgent : IDisposable
    {
        private readonly HttpClient _http;
        private readonly SnmpClient _snmp;

        private InProcessAgent(PortalProcess portal, AgentPaths paths, AgentSettings settings, HardwareIdentity identity)
        {
            Portal = portal;
            Paths = paths;
            paths.EnsureCreated();
            _http = new HttpClient(PortalHttpHandler.Create(settings));
            Client = new PortalClient(_http);
            Link = new PortalLink(settings, paths, Client, identity, "0.0.0-test", TimeProvider.System, NullLogger<PortalLink>.Instance);
            RunState = new RunStateStore(paths);
            Outbox = new FileOutbox(paths.OutboxDirectory, new OutboxLimits(), TimeProvider.System, NullLogger<FileOutbox>.Instance);
            _snmp = new SnmpClient(new SnmpClientOptions());
            var logs = new LogControl(paths.LogsDirectory);
            Commands = new CommandRunner(new CommandQueue(), new CommandJournal(Client, RunState, Outbox, NullLogger<CommandJournal>.Instance),
                [
                    new RestartAgentHandler(Lifetime, NullLogger<RestartAgentHandler>.Instance), new ForceScanHandler(Channel.CreateUnbounded<ScanJob>().Writer),
                    new UploadLogsHandler(logs, Outbox), new DeleteLogsHandler(logs), new SetLogModeHandler(logs), new WalkMibHandler(_snmp, Link, Outbox),
                ],
                new AgentStages(TimeProvider.System), TimeProvider.System, NullLogger<CommandRunner>.Instance);
            Uploader = new Uploader(Outbox, Link, Client, TimeProvider.System, new Random(1), NullLogger<Uploader>.Instance, new AgentStages(TimeProvider.System));
        }

        public PortalProcess Portal { get; }

        public AgentPaths Paths { get; }

        public PortalClient Client { get; }

        public PortalLink Link { get; }

        public RunStateStore RunState { get; }

        public FileOutbox Outbox { get; }

        public FakeLifetime Lifetime { get; } = new();

        public CommandRunner Commands { get; }

        public Uploader Uploader { get; }

        public PortalSession Session => Link.Session!;

        public Guid Id => Session.AgentId;

        public static async Task<InProcessAgent> EnrolAsync(RestartCommandTests test, string name)
        {
            PortalProcess portal = await ServicePeers.PortalAsync();
            SiteCreated site = await SiteSetup.CreateSiteAsync(portal, name, SiteSetup.FleetConfig());
            string root = Directory.CreateTempSubdirectory($"osp-svc-{name}-").FullName;
            var paths = new AgentPaths(Path.Combine(root, "state"), Path.Combine(root, "logs"), Path.Combine(root, "config"));
            var settings = new AgentSettings { PortalUrl = portal.Url, EnrolmentKey = site.EnrolmentKey, PinnedSha256 = portal.CertificateSha256 };
            var agent = new InProcessAgent(portal, paths, settings, new HardwareIdentity($"test-{name}-{Guid.NewGuid():N}", null, "test"));
            test._owned.Add(agent);
            Assert.That(await agent.Link.EnsureEnrolledAsync(CancellationToken.None), Is.True);
            await portal.Operator.AssignAsync(agent.Id, site.SiteId);
            await agent.Link.RefreshConfigAsync(CancellationToken.None);
            Assert.That(agent.Link.Plan?.Assigned, Is.True);
            return agent;
        }

        public void Dispose()
        {
            Uploader.Dispose();
            _snmp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _http.Dispose();
            Directory.Delete(Path.GetDirectoryName(Paths.StateDirectory)!, recursive: true);
        }
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        public int StopRequests { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => StopRequests++;
    }
}
