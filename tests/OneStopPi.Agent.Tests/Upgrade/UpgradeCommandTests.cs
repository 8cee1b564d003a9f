using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Commands.Handlers;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upgrade;
using OneStopPi.Contracts;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary>
/// Command 7 through the command runner and its exactly-once journal: a refusal is reported at once; a
/// handed-over upgrade stays open (across an agent restart too) until the helper's outcome is there, which
/// is reported once, however often the agent looks again.
/// </summary>
public sealed class UpgradeCommandTests
{
    private DirectoryInfo _directory = null!;
    private FakePortal _portal = null!;
    private HttpClient _http = null!;
    private ReleaseKeyPair _key = null!;
    private AgentPaths _agentPaths = null!;
    private UpgradePaths _paths = null!;
    private SnmpClient _snmp = null!;
    private PortalSession _session = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("osp-upgrade-command-");
        _portal = new FakePortal();
        _http = new HttpClient(_portal);
        _key = new ReleaseKeyPair();
        _agentPaths = new AgentPaths(Path.Combine(_directory.FullName, "state"), Path.Combine(_directory.FullName, "logs"), Path.Combine(_directory.FullName, "config"));
        _agentPaths.EnsureCreated();
        _paths = new UpgradePaths(_agentPaths.StateDirectory, Path.Combine(_directory.FullName, "helper"), _key.WritePublicKey(_directory.FullName));
        _snmp = new SnmpClient(new SnmpClientOptions());
        _session = new PortalSession(FakePortal.Url, Guid.NewGuid(), "agent-token");
        _time = new FakeTimeProvider();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _snmp.DisposeAsync();
        _http.Dispose();
        _portal.Dispose();
        _key.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>The executor as one run of the agent has it; a new one is a restarted agent on the same state.</summary>
    private (CommandRunner Executor, RunStateStore RunState) StartAgent()
    {
        var client = new PortalClient(_http);
        var settings = new AgentSettings { PortalUrl = FakePortal.Url };
        var runState = new RunStateStore(_agentPaths);
        var link = new PortalLink(settings, _agentPaths, client, new HardwareIdentity("test-upgrade", null, "test"), "0.1.0", TimeProvider.System, NullLogger<PortalLink>.Instance);
        var outbox = new FileOutbox(_agentPaths.OutboxDirectory, new OutboxLimits(), TimeProvider.System, NullLogger<FileOutbox>.Instance);
        var handover = new UpgradeHandover(client, _paths, new DpkgPackageInspector(), new AgentVersion("0.1.0"), NullLogger<UpgradeHandover>.Instance, "arm64", _time);
        var executor = new CommandRunner(new CommandQueue(), new CommandJournal(client, runState, outbox, NullLogger<CommandJournal>.Instance),
            [new UpgradeCommandHandler(handover), new RestartAgentHandler(new NoLifetime(), NullLogger<RestartAgentHandler>.Instance)],
            new AgentStages(TimeProvider.System), TimeProvider.System, NullLogger<CommandRunner>.Instance);
        return (executor, runState);
    }

    private PendingCommand UpgradeCommand(long id, string version, byte[] deb, byte[]? signature = null)
    {
        _portal.AddPackage(version, "arm64", deb);
        string parameter = JsonSerializer.Serialize(new UpgradeParameter(version, false,
            [new UpgradePackage("arm64", deb.Length, Convert.ToHexStringLower(SHA256.HashData(deb)), Convert.ToBase64String(signature ?? _key.Sign(deb)))]),
            ContractsJsonContext.Default.UpgradeParameter);
        return new PendingCommand(id, CommandType.Upgrade, parameter, DateTime.UtcNow);
    }

    /// <summary>What the helper does at its end: the outcome first, then the request goes.</summary>
    private void HelperFinishes(UpgradeOutcome outcome)
    {
        File.WriteAllBytes(_paths.Outcome(outcome.CommandId), JsonSerializer.SerializeToUtf8Bytes(outcome, UpgradeJsonContext.Default.UpgradeOutcome));
        File.Delete(_paths.Request);
        File.Delete(_paths.ClaimedRequest);
        File.Delete(_paths.Package);
        File.Delete(_paths.Signature);
    }

    [Test]
    public async Task A_refused_upgrade_is_acknowledged_and_reported_failed_at_once()
    {
        var (executor, runState) = StartAgent();
        byte[] deb = DebBuilder.Build("0.2.0", "arm64");
        using var stranger = new ReleaseKeyPair();

        await executor.RunAsync(_session, UpgradeCommand(5, "0.2.0", deb, stranger.Sign(deb)), CancellationToken.None);

        Assert.That(_portal.Acknowledged, Is.EqualTo(new[] { 5L }));
        Assert.That(_portal.Completed.Single(), Is.EqualTo((5L, false, $"refused: the package's signature does not match the release key {_paths.ReleaseKey}")));
        Assert.That(runState.Current.OpenCommands, Is.Empty);
        Assert.That(File.Exists(_paths.Request), Is.False);
    }

    [Test]
    public async Task A_handed_over_upgrade_stays_open_across_a_restart_and_its_outcome_is_reported_once()
    {
        var (executor, runState) = StartAgent();
        await executor.RunAsync(_session, UpgradeCommand(6, "0.2.0", DebBuilder.Build("0.2.0", "arm64")), CancellationToken.None);

        Assert.That(File.Exists(_paths.Request), Is.True, "handed over");
        Assert.That(_portal.Completed, Is.Empty, "no outcome while the helper works");
        Assert.That(runState.Current.OpenCommands.Single().Id, Is.EqualTo(6));

        // The helper restarts the agent (the new version) while it waits: the command is still open, and not "interrupted".
        (executor, runState) = StartAgent();
        await executor.RunAsync(_session, UpgradeCommand(6, "0.2.0", DebBuilder.Build("0.2.0", "arm64")), CancellationToken.None); // delivered again
        await executor.ReviewAsync(_session, CancellationToken.None);
        Assert.That(_portal.Completed, Is.Empty);
        Assert.That(runState.Current.OpenCommands.Single().Id, Is.EqualTo(6));

        HelperFinishes(new UpgradeOutcome(6, false, "rolled back: version 0.2.0 did not reach the portal within 5 minutes; 0.1.0 is installed again", "0.1.0"));
        await executor.ReviewAsync(_session, CancellationToken.None);
        await executor.ReviewAsync(_session, CancellationToken.None);
        (executor, _) = StartAgent();
        await executor.ReviewAsync(_session, CancellationToken.None);

        Assert.That(_portal.Completed, Is.EqualTo(new[] { (6L, false, (string?)"rolled back: version 0.2.0 did not reach the portal within 5 minutes; 0.1.0 is installed again") }));
        Assert.That(runState.Current.OpenCommands, Is.Empty);
        Assert.That(File.Exists(_paths.Outcome(6)), Is.False, "the outcome is removed once reported");
    }

    [Test]
    public async Task An_outcome_written_again_after_it_was_reported_is_not_reported_twice()
    {
        var (executor, _) = StartAgent();
        await executor.RunAsync(_session, UpgradeCommand(8, "0.2.0", DebBuilder.Build("0.2.0", "arm64")), CancellationToken.None);
        var outcome = new UpgradeOutcome(8, true, "upgraded to 0.2.0 (from 0.1.0)", "0.2.0");
        HelperFinishes(outcome);
        await executor.ReviewAsync(_session, CancellationToken.None);

        // A helper killed before it removed its journal finishes again and rewrites the outcome.
        HelperFinishes(outcome);
        (executor, _) = StartAgent();
        await executor.ReviewAsync(_session, CancellationToken.None);

        Assert.That(_portal.Completed, Has.Count.EqualTo(1));
        Assert.That(_portal.Completed.Single(), Is.EqualTo((8L, true, (string?)"upgraded to 0.2.0 (from 0.1.0)")));
    }

    [Test]
    public async Task A_request_no_helper_takes_within_fifteen_minutes_is_taken_back_and_reported_failed()
    {
        var (executor, runState) = StartAgent();
        await executor.RunAsync(_session, UpgradeCommand(9, "0.2.0", DebBuilder.Build("0.2.0", "arm64")), CancellationToken.None);
        await executor.ReviewAsync(_session, CancellationToken.None); // first sight of the waiting request
        _time.Advance(TimeSpan.FromMinutes(14));
        await executor.ReviewAsync(_session, CancellationToken.None);
        Assert.That(_portal.Completed, Is.Empty, "still within the limit");

        _time.Advance(TimeSpan.FromMinutes(2));
        await executor.ReviewAsync(_session, CancellationToken.None);

        Assert.That(_portal.Completed.Single(), Is.EqualTo((9L, false,
            (string?)"the upgrade helper did not take the package within 15 minutes (is onestoppi-upgrade.path installed and enabled?); nothing was installed")));
        Assert.That(Directory.GetFiles(_paths.HandoverDirectory), Is.Empty, "request and package taken back");
        Assert.That(runState.Current.OpenCommands, Is.Empty);
    }

    [Test]
    public async Task A_request_the_helper_took_is_never_taken_back()
    {
        var (executor, _) = StartAgent();
        await executor.RunAsync(_session, UpgradeCommand(10, "0.2.0", DebBuilder.Build("0.2.0", "arm64")), CancellationToken.None);
        await executor.ReviewAsync(_session, CancellationToken.None);
        File.Move(_paths.Request, _paths.ClaimedRequest); // what the helper does first

        _time.Advance(TimeSpan.FromHours(2)); // a slow dpkg, a long wait: the helper's business
        await executor.ReviewAsync(_session, CancellationToken.None);

        Assert.That(_portal.Completed, Is.Empty);
        Assert.That(File.Exists(_paths.ClaimedRequest) && File.Exists(_paths.Package), Is.True);
    }

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Assert.Fail("an upgrade never stops the agent itself");
    }
}
