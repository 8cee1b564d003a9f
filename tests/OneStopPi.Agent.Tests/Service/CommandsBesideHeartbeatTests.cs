using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// Commands run beside the sync loop (issue 16): the agent runs in this process against the real portal process,
/// with a forced-scan handler that blocks until the test lets it go. Meanwhile the heartbeats go on (counted by the
/// times the portal stores), and once the handler returns the command completes, once.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandsBesideHeartbeatTests
{
    private string _root = null!;
    private IHost? _host;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("osp-svc-beside-").FullName;

    [TearDown]
    public async Task TearDown()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task A_command_that_blocks_does_not_stop_the_heartbeats()
    {
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Beside", SiteSetup.FleetConfig(meterTime: DateTime.UtcNow.AddHours(12).ToString("HH:mm",
            System.Globalization.CultureInfo.InvariantCulture)));
        string hardwareId = $"test-beside-{Guid.NewGuid():N}";
        var paths = new AgentPaths(Path.Combine(_root, "state"), Path.Combine(_root, "logs"), Path.Combine(_root, "config"));
        var settings = new AgentSettings
        {
            PortalUrl = portal.Url, EnrolmentKey = site.EnrolmentKey, PinnedSha256 = portal.CertificateSha256, HardwareId = hardwareId,
            Lan = new LanSettings { Enabled = false },
        };
        var blocking = new BlockingScanHandler();
        _host = AgentHost.Build(paths, settings, TimeProvider.System, name => name == AgentTimings.EnvironmentVariable ? AgentHome.FastTimings : null,
            services => services.AddSingleton<ICommandHandler>(blocking));
        await _host.StartAsync();
        AgentView enrolled = await portal.Operator.WaitForAgentAsync(hardwareId);
        await portal.Operator.AssignAsync(enrolled.Id, site.SiteId);

        CommandView scan = await portal.Operator.QueueCommandAsync(enrolled.Id, (int)CommandType.ForceDiscoveryScan);
        await blocking.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // Heartbeats every second (FastTimings): count the distinct times the portal stored over 6 s of a blocked command.
        var heartbeats = new HashSet<DateTime>();
        for (int i = 0; i < 20; i++)
        {
            if ((await portal.Operator.AgentsAsync()).Single(a => a.Id == enrolled.Id).LastHeartbeatAt is { } at)
            {
                heartbeats.Add(at);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }

        Assert.That((await portal.Operator.CommandAsync(enrolled.Id, scan.Id)).State, Is.EqualTo("acknowledged"), "still running");
        Assert.That(heartbeats, Has.Count.GreaterThanOrEqualTo(3), "heartbeats went on while the command ran");

        blocking.Release.SetResult();
        CommandView done = await portal.Operator.WaitForCommandAsync(enrolled.Id, scan.Id);
        Assert.That((done.State, done.Message), Is.EqualTo(("completed", "released by the test")));
        Assert.That(blocking.Runs, Is.EqualTo(1), "run once, though the portal was polled many times meanwhile");
    }

    /// <summary>Stands in for the forced scan: blocks until released.</summary>
    private sealed class BlockingScanHandler : ICommandHandler
    {
        private int _runs;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs => Volatile.Read(ref _runs);

        public CommandType Type => CommandType.ForceDiscoveryScan;

        public async Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return CommandResult.Done(true, "released by the test");
        }
    }
}
