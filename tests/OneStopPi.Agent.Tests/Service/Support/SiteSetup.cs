using System.Globalization;
using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>The operator's side of putting a box to work: a site, its configuration, enrolment, assignment.</summary>
internal static partial class SiteSetup
{
    /// <summary>A site scanning the shared fleet with community "public", commands polled every second.</summary>
    public static SiteConfigUpdate FleetConfig(string meterTime = "03:00", string timeZone = "UTC") => new(
        Ranges: [ServicePeers.FleetRange], Exclusions: [], Communities: ["public"], V3Users: [],
        MeterTime: meterTime, TimeZone: timeZone, StatusIntervalMinutes: 1440, CommandPollSeconds: 1, LogMode: "normal");

    /// <summary>A meter time that has just passed (a minute ago, UTC): the daily scan is due now and on time.</summary>
    public static string JustPassedMeterTime() => DateTime.UtcNow.AddMinutes(-1).ToString("HH:mm", CultureInfo.InvariantCulture);

    public static async Task<SiteCreated> CreateSiteAsync(PortalProcess portal, string name, SiteConfigUpdate config)
    {
        SiteCreated site = await portal.Operator.CreateSiteAsync($"{name} {Guid.NewGuid():N}", config.TimeZone ?? "UTC");
        await portal.Operator.ConfigureAsync(site.SiteId, config);
        return site;
    }

    /// <summary>Waits for the running agent to enrol, assigns it to the site and waits until it runs on the site's configuration.</summary>
    public static async Task<Guid> AssignWhenEnrolledAsync(PortalProcess portal, AgentHome home, AgentProcess agent, SiteCreated site)
    {
        AgentView enrolled = await portal.Operator.WaitForAgentAsync(home.HardwareId);
        await portal.Operator.AssignAsync(enrolled.Id, site.SiteId);
        await agent.WaitForLogAsync(ConfigApplied());
        return enrolled.Id;
    }

    [GeneratedRegex(@"Configuration version \d+ applied: assigned True")]
    public static partial Regex ConfigApplied();
}
