using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Alerts;

/// <summary>An alert not yet resolved, as the evaluator needs it.</summary>
internal sealed record OpenAlert(long Id, string Key, AlertState State, DateTime FirstSeenAt);

/// <summary>What one evaluation changes.</summary>
internal abstract record AlertChange
{
    /// <summary>A condition with no unresolved alert: a new one, raised at once when it has lasted its hold already.</summary>
    public sealed record Open(AlertCondition Condition, bool RaiseNow) : AlertChange;

    /// <summary>A pending alert whose condition has now lasted its hold: tell it.</summary>
    public sealed record Raise(long AlertId, AlertCondition Condition) : AlertChange;

    /// <summary>A raised alert whose condition is gone: tell that once.</summary>
    public sealed record Resolve(long AlertId) : AlertChange;

    /// <summary>A pending alert whose condition went before it was told: forget it, tell nobody.</summary>
    public sealed record Drop(long AlertId) : AlertChange;
}

/// <summary>
/// Compares what the rules see now with the alerts not yet resolved and says what changes. Each condition is raised
/// once (after its hold), resolved once when it clears; one that comes and goes within its hold is never told.
/// </summary>
internal sealed class AlertEvaluator(IReadOnlyList<AlertRule> rules, TimeProvider time)
{
    public AlertEvaluator(TimeProvider time)
        : this(AlertRule.All, time)
    {
    }

    public IReadOnlyList<AlertChange> Evaluate(FleetSnapshot fleet, IReadOnlyList<OpenAlert> open)
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        var openByKey = open.ToDictionary(a => a.Key, StringComparer.Ordinal);
        var openKeys = new HashSet<string>(openByKey.Keys, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changes = new List<AlertChange>();
        foreach (var condition in rules.SelectMany(r => r.Check(fleet, openKeys, now)))
        {
            if (!seen.Add(condition.Key))
            {
                continue; // one alert per key, whatever a rule repeats
            }

            if (!openByKey.TryGetValue(condition.Key, out var alert))
            {
                changes.Add(new AlertChange.Open(condition, now - condition.Since >= condition.Hold));
            }
            else if (alert.State == AlertState.Pending && now - alert.FirstSeenAt >= condition.Hold)
            {
                changes.Add(new AlertChange.Raise(alert.Id, condition));
            }
        }

        foreach (var alert in open.Where(a => !seen.Contains(a.Key)))
        {
            changes.Add(alert.State == AlertState.Pending ? new AlertChange.Drop(alert.Id) : new AlertChange.Resolve(alert.Id));
        }

        return changes;
    }
}
