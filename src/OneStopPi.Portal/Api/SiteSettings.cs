using System.Net;
using System.Text.RegularExpressions;
using OneStopPi.Contracts;

namespace OneStopPi.Portal.Api;

/// <summary>Checks what an operator sets on a site; each method returns an error sentence or null.</summary>
internal static partial class SiteSettings
{
    public static readonly string[] AuthProtocols = ["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"];
    public static readonly string[] PrivProtocols = ["DES", "3DES", "AES", "AES192", "AES256", "AES192C", "AES256C"];

    public static string? CheckRange(string range)
    {
        var r = range.Trim();
        if (r.Contains('/', StringComparison.Ordinal))
        {
            return IPNetwork.TryParse(r, out var net) && net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && net.PrefixLength >= 16
                ? null
                : $"'{range}': a CIDR range must be IPv4 with a prefix of /16 or longer";
        }

        var dash = r.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return IPAddress.TryParse(r[..dash], out var from) && IPAddress.TryParse(r[(dash + 1)..], out var to)
                && from.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && to.AddressFamily == from.AddressFamily
                && ToUInt(from) <= ToUInt(to) && ToUInt(to) - ToUInt(from) < 65536
                ? null
                : $"'{range}': a start-end range must be two IPv4 addresses, in order, at most 65536 apart";
        }

        return IPAddress.TryParse(r, out var single) && single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? null
            : $"'{range}' is not an IPv4 address, CIDR or start-end range";
    }

    public static string? CheckMeterTime(string value) =>
        MeterTimePattern().IsMatch(value) ? null : $"meter time '{value}' must be HH:mm (24 h)";

    /// <summary>The most meter reads a day a site may ask for (one an hour; the agent refuses more).</summary>
    public const int MaxMeterTimes = 24;

    /// <summary>A list of meter-read times: 1 to <see cref="MaxMeterTimes"/>, each HH:mm, none twice.</summary>
    public static string? CheckMeterTimes(IReadOnlyList<string> values)
    {
        if (values.Count is 0 or > MaxMeterTimes)
        {
            return $"a site reads its meters 1 to {MaxMeterTimes} times a day";
        }

        return values.Select(CheckMeterTime).FirstOrDefault(e => e is not null)
            ?? (values.Distinct(StringComparer.Ordinal).Count() < values.Count ? "a meter time is given twice" : null);
    }

    /// <summary>A site's meter-read times, in order.</summary>
    public static string[] MeterTimesOf(Data.Site site) =>
        site.MeterTimes is { Length: > 0 } times ? times.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [site.MeterTime];

    /// <summary>Sets a site's meter-read times (checked with <see cref="CheckMeterTimes"/>): sorted; the first is also the single time.</summary>
    public static void SetMeterTimes(Data.Site site, IEnumerable<string> values)
    {
        string[] times = [.. values.Order(StringComparer.Ordinal)];
        site.MeterTime = times[0];
        site.MeterTimes = string.Join(',', times);
    }

    /// <summary>The schedule an agent of the site receives: every time, and the first as the single time older agents read.</summary>
    public static ScheduleConfig ScheduleOf(Data.Site site) =>
        ScheduleConfig.ForTimes(MeterTimesOf(site), site.TimeZone, site.StatusIntervalMinutes, site.CommandPollSeconds);

    public static string? CheckTimeZone(string value)
    {
        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(value);
            return null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return $"unknown time zone '{value}' (use an IANA id such as Europe/Berlin)";
        }
    }

    public static string? CheckV3User(SnmpV3User user)
    {
        if (string.IsNullOrWhiteSpace(user.User))
        {
            return "an SNMPv3 user needs a name";
        }

        if (user.AuthProtocol is { } auth && !AuthProtocols.Contains(auth))
        {
            return $"v3 user {user.User}: auth protocol must be one of {string.Join(", ", AuthProtocols)}";
        }

        if (user.PrivProtocol is { } priv && !PrivProtocols.Contains(priv))
        {
            return $"v3 user {user.User}: privacy protocol must be one of {string.Join(", ", PrivProtocols)}";
        }

        if (user.AuthProtocol is not null && (user.AuthPassword?.Length ?? 0) < 8)
        {
            return $"v3 user {user.User}: the auth password must have at least 8 characters (RFC 3414 11.2)";
        }

        if (user.PrivProtocol is not null && (user.AuthProtocol is null || (user.PrivPassword?.Length ?? 0) < 8))
        {
            return $"v3 user {user.User}: privacy needs authentication and a password of at least 8 characters";
        }

        return null;
    }

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    private static partial Regex MeterTimePattern();
}
