using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// A site that blocks NTP (issue 16): the agent runs in this process on a system clock 400 days behind
/// (a Pi's stale boot date) that nothing synchronises, against the real portal process, whose clock is
/// therefore 400 days ahead of it. The agent takes the portal's time from its heartbeat answer and runs the
/// daily meter scan at the site's time, stamped with that time; the system clock is left alone.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class PortalTimeTests
{
    private static readonly TimeSpan Behind = TimeSpan.FromDays(400);
    private string _root = null!;
    private IHost? _host;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("osp-svc-portaltime-").FullName;

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
    public async Task With_ntp_silent_the_meter_scan_runs_at_the_sites_time_by_the_portals_clock()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "No NTP", SiteSetup.FleetConfig(meterTime: SiteSetup.JustPassedMeterTime()));
        string hardwareId = $"test-portaltime-{Guid.NewGuid():N}";
        var paths = new AgentPaths(Path.Combine(_root, "state"), Path.Combine(_root, "logs"), Path.Combine(_root, "config"));
        var settings = new AgentSettings
        {
            PortalUrl = portal.Url, EnrolmentKey = site.EnrolmentKey, PinnedSha256 = portal.CertificateSha256, HardwareId = hardwareId,
            Lan = new LanSettings { Enabled = false },
        };
        var systemClock = new ShiftedClock(-Behind);
        _host = AgentHost.Build(paths, settings, systemClock, name => name == AgentTimings.EnvironmentVariable ? AgentHome.FastTimings : null,
            services => services.AddSingleton<ClockSynchronisation>(new NeverSynchronised(systemClock)));
        SiteClock siteClock = _host.Services.GetRequiredService<SiteClock>();
        await _host.StartAsync();

        AgentView enrolled = await portal.Operator.WaitForAgentAsync(hardwareId);
        Assert.That(siteClock.Source, Is.Not.EqualTo(ClockSource.Ntp));
        await portal.Operator.AssignAsync(enrolled.Id, site.SiteId);
        StoredBatch meter = await Eventually.ValueAsync(
            async () => (await portal.Database.BatchesAsync(hardwareId)).FirstOrDefault(b => b.ReadingRows == 5),
            TimeSpan.FromSeconds(90), "a meter batch with the fleet's five readings in the portal");

        DateTime started = (await portal.Database.ScanStartsAsync(meter.BatchKey)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(meter.MissedMeter, Is.False, "on time by the portal's clock, a minute after the meter time");
            Assert.That(started, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(3)), "stamped with the site's time, not the stale system clock");
            Assert.That(siteClock.Source, Is.EqualTo(ClockSource.Portal));
            Assert.That(siteClock.PortalOffset!.Value, Is.EqualTo(Behind).Within(TimeSpan.FromSeconds(5)));
            Assert.That(systemClock.GetUtcNow(), Is.EqualTo(DateTimeOffset.UtcNow - Behind).Within(TimeSpan.FromSeconds(5)), "the system clock is left alone");
            Assert.That(_host.Services.GetRequiredService<LanStatusService>().Build().ClockSource, Is.EqualTo("portal"), "what /status says");
        });
    }

    /// <summary>The machine's clock, off by a fixed amount; timers and timestamps are the real monotonic ones.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    /// <summary>No timesyncd flag, the kernel unsynchronised, no step: what a site that blocks UDP 123 looks like.</summary>
    private sealed class NeverSynchronised(TimeProvider time) : ClockSynchronisation(time, "/nonexistent/timesync/synchronized")
    {
        protected override bool KernelSaysSynchronised() => false;
    }
}
