using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Alerts;

// What the rules look at, read from the database in one go (AlertSnapshotReader) and nothing else: the rules are pure.

/// <summary>One supply of a device's latest reading, with its forecast's days left (null: no date forecast).</summary>
internal sealed record SupplyState(int Position, string Name, int? Percent, double? DaysLeft, DateTime? RunOutAt);

/// <summary>A counter lower in the device's latest counter reading than in the one before it.</summary>
internal sealed record CounterStep(string Name, long Before, long After, DateTime At);

/// <summary>A device as the rules see it: when it last answered, its latest error states and supplies.</summary>
internal sealed record DeviceState(
    long Id,
    int SiteId,
    string Name,
    DateTime LastSeenAt,
    DateTime? ReadAt,
    IReadOnlyList<string> Errors,
    IReadOnlyList<SupplyState> Supplies,
    IReadOnlyList<CounterStep> Backwards);

/// <summary>An agent assigned to a site, with the last time it called the portal.</summary>
internal sealed record AgentState(Guid Id, int SiteId, string Name, DateTime LastSeenAt);

/// <summary>The whole fleet, each site's rules (the defaults merged in) and the end of each site's latest scan.</summary>
internal sealed record FleetSnapshot(
    IReadOnlyList<DeviceState> Devices,
    IReadOnlyList<AgentState> Agents,
    IReadOnlyDictionary<int, EffectiveRules> Rules,
    IReadOnlyDictionary<int, DateTime>? LastScanAt = null)
{
    public EffectiveRules RulesOf(int siteId) => Rules.GetValueOrDefault(siteId) ?? EffectiveRules.None;
}

/// <summary>A site's rules after merging: null means the rule is off.</summary>
internal sealed record EffectiveRules(
    int? SupplyBelowPercent,
    int? SupplyRunOutDays,
    int? ErrorStateMinutes,
    IReadOnlySet<string> ErrorStates,
    int? DeviceSilentHours,
    int? AgentSilentMinutes,
    bool CounterBackwards)
{
    /// <summary>The error states that count unless a rule names others: those a person has to walk to the printer for.</summary>
    public static readonly string[] DefaultErrorStates =
        ["jammed", "noToner", "noPaper", "doorOpen", "serviceRequested", "offline", "markerSupplyMissing", "inputTrayMissing", "outputTrayMissing", "outputFull"];

    public static EffectiveRules None { get; } = new(null, null, null, new HashSet<string>(), null, null, false);

    /// <summary>The site's value where it has one, else the default's; 0 (or false) turns a rule off.</summary>
    public static EffectiveRules Merge(AlertSettings? defaults, AlertSettings? site)
    {
        static int? On(int? value) => value is > 0 ? value : null;
        var states = site?.ErrorStates ?? defaults?.ErrorStates;
        return new EffectiveRules(
            On(site?.SupplyBelowPercent ?? defaults?.SupplyBelowPercent),
            On(site?.SupplyRunOutDays ?? defaults?.SupplyRunOutDays),
            On(site?.ErrorStateMinutes ?? defaults?.ErrorStateMinutes),
            new HashSet<string>(states is null ? DefaultErrorStates : states.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal),
            On(site?.DeviceSilentHours ?? defaults?.DeviceSilentHours),
            On(site?.AgentSilentMinutes ?? defaults?.AgentSilentMinutes),
            (site?.CounterBackwards ?? defaults?.CounterBackwards) is true);
    }
}
