using System.Globalization;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// A condition a rule sees now. <see cref="Key"/> names it (one unresolved alert per key); it is told once it has
/// lasted <see cref="Hold"/> since <see cref="Since"/>.
/// </summary>
internal sealed record AlertCondition(AlertKind Kind, int SiteId, string Key, string Message, DateTime Since, TimeSpan Hold,
    long? DeviceId = null, Guid? AgentId = null);

/// <summary>One kind of alert: which conditions hold in a fleet snapshot. Pure: no clock, no database.</summary>
internal abstract class AlertRule
{
    public abstract AlertKind Kind { get; }

    /// <param name="open">Keys of the alerts not yet resolved: a rule may hold one a little past its threshold (hysteresis).</param>
    public abstract IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now);

    public static IReadOnlyList<AlertRule> All { get; } =
        [new SupplyLowRule(), new SupplyRunOutRule(), new ErrorStateRule(), new DeviceSilentRule(), new AgentSilentRule(), new CounterBackwardsRule()];

    protected static string F(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>A supply at or below N %; it clears above N + <see cref="Hysteresis"/>, so a level read 9, 11, 9 is one alert.</summary>
internal sealed class SupplyLowRule : AlertRule
{
    public const int Hysteresis = 5;

    public override AlertKind Kind => AlertKind.SupplyLow;

    public override IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now)
    {
        foreach (var d in fleet.Devices)
        {
            if (fleet.RulesOf(d.SiteId).SupplyBelowPercent is not { } limit)
            {
                continue;
            }

            foreach (var s in d.Supplies)
            {
                var key = F($"device:{d.Id}:supply:{s.Position}:low");
                if (s.Percent is { } p and >= 0 && (p <= limit || (open.Contains(key) && p <= limit + Hysteresis)))
                {
                    yield return new AlertCondition(Kind, d.SiteId, key, F($"{d.Name}: {s.Name} at {p} % (alert at {limit} %)"), d.ReadAt ?? now, TimeSpan.Zero, d.Id);
                }
            }
        }
    }
}

/// <summary>A supply forecast to run out within N days; it clears past N + <see cref="Hysteresis"/> days.</summary>
internal sealed class SupplyRunOutRule : AlertRule
{
    public const double Hysteresis = 2;

    public override AlertKind Kind => AlertKind.SupplyRunOut;

    public override IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now)
    {
        foreach (var d in fleet.Devices)
        {
            if (fleet.RulesOf(d.SiteId).SupplyRunOutDays is not { } limit)
            {
                continue;
            }

            foreach (var s in d.Supplies)
            {
                var key = F($"device:{d.Id}:supply:{s.Position}:runout");
                if (s.DaysLeft is { } days && (days <= limit || (open.Contains(key) && days <= limit + Hysteresis)))
                {
                    var when = s.RunOutAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "?";
                    yield return new AlertCondition(Kind, d.SiteId, key,
                        F($"{d.Name}: {s.Name} runs out in about {days:0.#} days ({when}; alert at {limit} days)"), d.ReadAt ?? now, TimeSpan.Zero, d.Id);
                }
            }
        }
    }
}

/// <summary>An error state (jammed, noToner, doorOpen, ...) in the device's latest reading, told once it lasted N minutes.</summary>
internal sealed class ErrorStateRule : AlertRule
{
    public override AlertKind Kind => AlertKind.ErrorState;

    public override IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now)
    {
        foreach (var d in fleet.Devices)
        {
            var rules = fleet.RulesOf(d.SiteId);
            if (rules.ErrorStateMinutes is not { } minutes)
            {
                continue;
            }

            foreach (var error in d.Errors.Where(rules.ErrorStates.Contains))
            {
                yield return new AlertCondition(Kind, d.SiteId, F($"device:{d.Id}:error:{error}"),
                    F($"{d.Name}: {error} for more than {minutes} minutes"), d.ReadAt ?? now, TimeSpan.FromMinutes(minutes), d.Id);
            }
        }
    }
}

/// <summary>
/// A device that has not answered for N hours of its site's scans: measured to the end of the site's latest scan, not
/// to now, so a silent box (its own alert) or a backlog uploaded late does not make every device of the site "silent".
/// </summary>
internal sealed class DeviceSilentRule : AlertRule
{
    public override AlertKind Kind => AlertKind.DeviceSilent;

    public override IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now)
    {
        foreach (var d in fleet.Devices)
        {
            if (fleet.RulesOf(d.SiteId).DeviceSilentHours is { } hours && fleet.LastScanAt?.GetValueOrDefault(d.SiteId) is { } scanned
                && scanned - d.LastSeenAt > TimeSpan.FromHours(hours))
            {
                yield return new AlertCondition(Kind, d.SiteId, F($"device:{d.Id}:silent"),
                    F($"{d.Name}: not seen for more than {hours} hours (last {d.LastSeenAt:yyyy-MM-dd HH:mm} UTC, site scanned {scanned:yyyy-MM-dd HH:mm} UTC)"), now, TimeSpan.Zero, d.Id);
            }
        }
    }
}

/// <summary>An agent that has not called the portal for N minutes.</summary>
internal sealed class AgentSilentRule : AlertRule
{
    public override AlertKind Kind => AlertKind.AgentSilent;

    public override IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now)
    {
        foreach (var a in fleet.Agents)
        {
            if (fleet.RulesOf(a.SiteId).AgentSilentMinutes is { } minutes && now - a.LastSeenAt > TimeSpan.FromMinutes(minutes))
            {
                yield return new AlertCondition(Kind, a.SiteId, F($"agent:{a.Id:D}:silent"),
                    F($"agent {a.Name}: silent for more than {minutes} minutes (last {a.LastSeenAt:yyyy-MM-dd HH:mm} UTC)"), now, TimeSpan.Zero, AgentId: a.Id);
            }
        }
    }
}

/// <summary>A page counter lower than in the reading before (a replaced board, or a reading to check before billing).</summary>
internal sealed class CounterBackwardsRule : AlertRule
{
    public override AlertKind Kind => AlertKind.CounterBackwards;

    public override IEnumerable<AlertCondition> Check(FleetSnapshot fleet, IReadOnlySet<string> open, DateTime now)
    {
        foreach (var d in fleet.Devices)
        {
            if (!fleet.RulesOf(d.SiteId).CounterBackwards)
            {
                continue;
            }

            foreach (var step in d.Backwards)
            {
                yield return new AlertCondition(Kind, d.SiteId, F($"device:{d.Id}:counter:{step.Name}"),
                    F($"{d.Name}: counter {step.Name} went back from {step.Before:N0} to {step.After:N0}"), step.At, TimeSpan.Zero, d.Id);
            }
        }
    }
}
