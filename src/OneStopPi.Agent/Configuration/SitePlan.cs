using System.Globalization;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Agent.Configuration;

/// <summary>The portal's configuration, checked and turned into what the agent runs on.</summary>
public sealed record SitePlan(
    bool Assigned,
    int? SiteId,
    IReadOnlyList<string> Ranges,
    IReadOnlyList<string> Exclusions,
    IReadOnlyList<SnmpCredentials> Credentials,
    IReadOnlyList<TimeOnly> MeterTimes,
    TimeZoneInfo Zone,
    TimeSpan StatusInterval,
    TimeSpan CommandPollInterval,
    string LogMode)
{
    /// <summary>The most meter reads a day a schedule may ask for (one an hour).</summary>
    public const int MaxMeterTimes = 24;

    /// <summary>
    /// Checks every field; a configuration with any fault is refused whole, so the agent keeps its
    /// last good one rather than running half of a broken one.
    /// </summary>
    /// <exception cref="InvalidPortalConfigException">With every reason found.</exception>
    public static SitePlan From(AgentConfig config)
    {
        var problems = new List<string>();
        var credentials = new List<SnmpCredentials>();
        foreach (string community in config.Snmp?.Communities ?? [])
        {
            if (string.IsNullOrEmpty(community))
            {
                problems.Add("an empty community");
                continue;
            }

            credentials.Add(new CommunityCredentials(SnmpVersion.V2c, community));
        }

        foreach (SnmpV3User user in config.Snmp?.V3Users ?? [])
        {
            AuthProtocol auth = AuthProtocol.None;
            PrivProtocol priv = PrivProtocol.None;
            if (!string.IsNullOrEmpty(user.AuthProtocol) && !UsmProtocolNames.TryParseAuth(user.AuthProtocol, out auth))
            {
                problems.Add($"v3 user '{user.User}': unknown authentication protocol '{user.AuthProtocol}'");
                continue;
            }

            if (!string.IsNullOrEmpty(user.PrivProtocol) && !UsmProtocolNames.TryParsePriv(user.PrivProtocol, out priv))
            {
                problems.Add($"v3 user '{user.User}': unknown privacy protocol '{user.PrivProtocol}'");
                continue;
            }

            try
            {
                credentials.Add(new UsmCredentials(user.User, auth, user.AuthPassword, priv, user.PrivPassword, user.Context ?? ""));
            }
            catch (ArgumentException e)
            {
                problems.Add($"v3 user '{user.User}': {e.Message}");
            }
        }

        // A portal before several reads a day sends one meterTime; a newer one the list (and its first as meterTime).
        var meterTimes = new List<TimeOnly>();
        IReadOnlyList<string?> times = config.Schedule is { } schedule ? [.. schedule.AllMeterTimes()] : [null];
        if (times.Count > MaxMeterTimes)
        {
            problems.Add($"{times.Count} meter times; at most {MaxMeterTimes} a day");
        }

        foreach (string? time in times)
        {
            if (TimeOnly.TryParseExact(time, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly meterTime))
            {
                meterTimes.Add(meterTime);
            }
            else
            {
                problems.Add($"meter time '{time}' is not HH:mm");
            }
        }

        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (config.Schedule?.TimeZone is not { Length: > 0 } zoneId || !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out zone!))
        {
            problems.Add($"unknown time zone '{config.Schedule?.TimeZone}'");
            zone = TimeZoneInfo.Utc;
        }

        int statusMinutes = config.Schedule?.StatusIntervalMinutes ?? -1;
        if (statusMinutes is < 0 or > 10080)
        {
            problems.Add($"status interval {statusMinutes} min is outside 0..10080 (0 = off)");
        }

        int pollSeconds = config.Schedule?.CommandPollSeconds ?? -1;
        if (pollSeconds is < 0 or > 86400)
        {
            problems.Add($"command poll interval {pollSeconds} s is outside 0..86400 (0 = never)");
        }

        string logMode = (config.LogMode ?? LogModes.Normal).ToLowerInvariant();
        if (!LogModes.IsKnown(logMode))
        {
            problems.Add($"unknown log mode '{config.LogMode}'");
        }

        foreach (string range in (config.Ranges ?? []).Concat(config.Exclusions ?? []))
        {
            if (string.IsNullOrWhiteSpace(range) || range.Length > 100)
            {
                problems.Add($"range '{range}' is empty or too long");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidPortalConfigException(problems);
        }

        return new SitePlan(config.Assigned, config.SiteId, config.Ranges ?? [], config.Exclusions ?? [], credentials, [.. meterTimes.Distinct().Order()], zone,
            TimeSpan.FromMinutes(statusMinutes), TimeSpan.FromSeconds(pollSeconds), logMode);
    }
}

/// <summary>The portal sent a configuration the agent refuses; the last good one stays in force.</summary>
public sealed class InvalidPortalConfigException : Exception
{
    public InvalidPortalConfigException(IReadOnlyList<string> problems)
        : base("The portal's configuration was refused: " + string.Join("; ", problems)) => Problems = problems;

    public InvalidPortalConfigException() => Problems = [];

    public InvalidPortalConfigException(string message) : base(message) => Problems = [message];

    public InvalidPortalConfigException(string message, Exception innerException) : base(message, innerException) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}
