using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using OneStopPi.Snmp;

namespace OneStopPi.Collection.Profiles;

/// <summary>
/// The vendor profiles in force: the embedded ones (Profiles/*.json), optionally overridden or extended
/// by the *.json files of a directory (a file whose profile name matches an embedded one replaces it).
/// </summary>
public sealed class ProfileCatalog
{
    private const string ResourcePrefix = "OneStopPi.Collection.Profiles.";
    private static readonly Lazy<ProfileCatalog> EmbeddedCatalog = new(() => new ProfileCatalog(LoadEmbedded()));

    private ProfileCatalog(IReadOnlyList<VendorProfile> profiles)
    {
        Profiles = profiles;
        Compiled = [.. profiles.Select(p => new CompiledProfile(p))];
    }

    /// <summary>The profiles built into the library.</summary>
    public static ProfileCatalog Embedded => EmbeddedCatalog.Value;

    public IReadOnlyList<VendorProfile> Profiles { get; }

    internal IReadOnlyList<CompiledProfile> Compiled { get; }

    /// <summary>The embedded profiles, with those of <paramref name="directory"/> replacing or adding to them.</summary>
    public static ProfileCatalog Load(string? directory)
    {
        if (string.IsNullOrEmpty(directory))
        {
            return Embedded;
        }

        var byName = Embedded.Profiles.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (string file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            VendorProfile profile = Parse(File.ReadAllText(file), file);
            byName[profile.Name] = profile;
        }

        return new ProfileCatalog([.. byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Parses and checks one profile document (OIDs and regexes must be valid).</summary>
    public static VendorProfile Parse(string json, string origin)
    {
        VendorProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, ProfileJsonContext.Default.VendorProfile);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: {e.Message}", e);
        }

        if (profile is null)
        {
            throw new InvalidDataException($"{origin}: empty profile");
        }

        profile = Normalise(profile);

        try
        {
            _ = new CompiledProfile(profile);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{origin}: {e.Message}", e);
        }

        return profile;
    }

    /// <summary>
    /// Source-generated deserialization sets init-only properties missing from the JSON to null, over
    /// their initializers; put the empty defaults back.
    /// </summary>
    private static VendorProfile Normalise(VendorProfile p) => p with
    {
        Match = p.Match ?? [],
        Brands = [.. (p.Brands ?? []).Select(b => b with { VendorNames = b.VendorNames ?? [] })],
        Probe = p.Probe ?? [],
        VendorNames = p.VendorNames ?? [],
        Model = p.Model ?? [],
        Serial = p.Serial ?? [],
        Firmware = p.Firmware ?? [],
        StatusText = p.StatusText ?? [],
        Counters = [.. (p.Counters ?? []).Select(c => c with { Sum = c.Sum ?? [], First = c.First ?? [] })],
        CounterTables = [.. (p.CounterTables ?? []).Select(t => t with { Rows = t.Rows ?? [] })],
        BrotherMaintenance = p.BrotherMaintenance is { } b
            ? b with
            {
                Blocks = [.. (b.Blocks ?? []).Select(x => x with { Codes = x.Codes ?? new Dictionary<string, BrotherCode>(), })
                    .Select(x => x with { Codes = x.Codes.ToDictionary(kv => kv.Key, kv => kv.Value with { Field = kv.Value.Field ?? "remaining" }) })],
                Supplies = b.Supplies ?? new Dictionary<string, BrotherSupply>(),
            }
            : null,
    };

    /// <summary>The best profile for a device's sysObjectID and sysDescr, or null.</summary>
    internal CompiledProfile? Match(ObjectIdentifier? sysObjectId, string? sysDescr)
    {
        CompiledProfile? best = null;
        int bestScore = int.MinValue;
        int bestPrefix = -1;
        foreach (CompiledProfile profile in Compiled)
        {
            foreach (CompiledRule rule in profile.Rules)
            {
                if (!rule.Matches(sysObjectId, sysDescr))
                {
                    continue;
                }

                int prefix = rule.Prefix?.Length ?? 0;
                if (rule.Priority > bestScore || (rule.Priority == bestScore && prefix > bestPrefix))
                {
                    best = profile;
                    bestScore = rule.Priority;
                    bestPrefix = prefix;
                }
            }
        }

        return best;
    }

    private static List<VendorProfile> LoadEmbedded()
    {
        Assembly assembly = typeof(ProfileCatalog).Assembly;
        var profiles = new List<VendorProfile>();
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            profiles.Add(Parse(reader.ReadToEnd(), name));
        }

        return profiles;
    }
}

/// <summary>A profile with its OIDs parsed and regexes compiled.</summary>
internal sealed class CompiledProfile
{
    /// <summary>
    /// Only a runaway pattern should reach this. The limit is wall-clock time, and a thread that a busy box
    /// preempts mid-match counts its wait too: at 100 ms a loaded machine could time out a harmless match of a
    /// short sysDescr, and a timed-out match counts as no match (a wrong vendor or a missing serial).
    /// </summary>
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    public CompiledProfile(VendorProfile profile)
    {
        Profile = profile;
        Rules = [.. profile.Match.Select(r => new CompiledRule(
            r.SysObjectId is null ? (ObjectIdentifier?)null : ParseOid(r.SysObjectId),
            r.SysDescr is null ? null : MakeRegex(r.SysDescr),
            r.Priority ?? profile.Priority))];
        Brands = [.. profile.Brands.Select(b => (b, b.SysDescr is null ? null : MakeRegex(b.SysDescr)))];
        Probe = [.. profile.Probe.Select(Compile)];
        Model = [.. profile.Model.Select(Compile)];
        Serial = [.. profile.Serial.Select(Compile)];
        Firmware = [.. profile.Firmware.Select(Compile)];
        StatusText = [.. profile.StatusText.Select(Compile)];
        Counters = [.. profile.Counters.Select(Compile)];
        CounterTables = [.. profile.CounterTables.Select(t => new CompiledCounterTable(ParseOid(t.KeyColumn), ParseOid(t.ValueColumn),
            t.UnitColumn is null ? (ObjectIdentifier?)null : ParseOid(t.UnitColumn), t.Unit,
            [.. t.Rows.Select(r =>
            {
                CheckCounterName(r.Counter);
                return new CompiledCounterRow(r.Counter, MakeRegex(r.Key), r.Sum);
            })]))];
        BrotherBlocks = [.. (profile.BrotherMaintenance?.Blocks ?? []).Select(b => (ParseOid(b.Oid), b))];
        BrotherInkModels = profile.BrotherMaintenance?.InkModels is { } ink ? MakeRegex(ink) : null;
        foreach ((_, BrotherBlock block) in BrotherBlocks)
        {
            foreach ((string code, BrotherCode meaning) in block.Codes)
            {
                if (code.Length != 2 || !byte.TryParse(code, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    throw new InvalidDataException($"profile {profile.Name}: Brother code '{code}' is not two hex digits");
                }

                if (meaning.Counter is { } counterName)
                {
                    CheckCounterName(counterName);
                }

                if ((meaning.Counter is null) == (meaning.Supply is null)
                    || (meaning.Supply is { } key && !profile.BrotherMaintenance!.Supplies.ContainsKey(key)))
                {
                    throw new InvalidDataException($"profile {profile.Name}: Brother code '{code}' needs a counter or a known supply");
                }
            }
        }
        IgnoreHrDeviceDescr = profile.IgnoreHrDeviceDescr is null ? null : MakeRegex(profile.IgnoreHrDeviceDescr);
        foreach (CompiledRule rule in Rules)
        {
            if (rule.Prefix is null && rule.SysDescr is null)
            {
                throw new InvalidDataException($"profile {profile.Name}: a match rule needs sysObjectId or sysDescr");
            }
        }
    }

    public VendorProfile Profile { get; }

    public string Name => Profile.Name;

    public IReadOnlyList<CompiledRule> Rules { get; }

    public IReadOnlyList<(BrandRule Brand, Regex? SysDescr)> Brands { get; }

    public IReadOnlyList<CompiledSource> Probe { get; }

    public IReadOnlyList<CompiledSource> Model { get; }

    public IReadOnlyList<CompiledSource> Serial { get; }

    public IReadOnlyList<CompiledSource> Firmware { get; }

    public IReadOnlyList<CompiledSource> StatusText { get; }

    public IReadOnlyList<CompiledCounter> Counters { get; }

    public IReadOnlyList<CompiledCounterTable> CounterTables { get; }

    public IReadOnlyList<(ObjectIdentifier Oid, BrotherBlock Block)> BrotherBlocks { get; }

    public Regex? BrotherInkModels { get; }

    public Regex? IgnoreHrDeviceDescr { get; }

    // The OID lists below are loops rather than LINQ: LINQ over a value type such as ObjectIdentifier is compiled once
    // per element type and operator in the AOT image (docs/benchmarks.md, "Fifth pass").

    /// <summary>Every scalar OID this profile asks for (model, serial, firmware, status text, counters, Brother block), each once.</summary>
    public IReadOnlyList<ObjectIdentifier> ScalarOids
    {
        get
        {
            var oids = new OidList();
            foreach (IReadOnlyList<CompiledSource> sources in TextSources)
            {
                foreach (CompiledSource source in sources)
                {
                    if (source.Oid is { } oid)
                    {
                        oids.Add(oid);
                    }
                }
            }

            foreach (CompiledCounter counter in Counters)
            {
                foreach (ObjectIdentifier oid in counter.Oids)
                {
                    oids.Add(oid);
                }
            }

            foreach ((ObjectIdentifier oid, _) in BrotherBlocks)
            {
                oids.Add(oid);
            }

            return oids.Items;
        }
    }

    /// <summary>The ENTITY-MIB objects this profile's sources name (the collector asks for them only then), each once.</summary>
    public IReadOnlyList<ObjectIdentifier> EntityOids
    {
        get
        {
            var oids = new OidList();
            foreach (IReadOnlyList<CompiledSource> sources in TextSources)
            {
                foreach (CompiledSource source in sources)
                {
                    ObjectIdentifier? oid = source.From switch
                    {
                        ValueSources.EntPhysicalModelName => "1.3.6.1.2.1.47.1.1.1.1.13.1",
                        ValueSources.EntPhysicalSerialNum => "1.3.6.1.2.1.47.1.1.1.1.11.1",
                        ValueSources.EntPhysicalFirmwareRev => "1.3.6.1.2.1.47.1.1.1.1.9.1",
                        ValueSources.EntPhysicalSoftwareRev => "1.3.6.1.2.1.47.1.1.1.1.10.1",
                        _ => (ObjectIdentifier?)null,
                    };
                    if (oid is { } o)
                    {
                        oids.Add(o);
                    }
                }
            }

            return oids.Items;
        }
    }

    /// <summary>The counter tables' key, value and unit columns, each once.</summary>
    public IReadOnlyList<ObjectIdentifier> TableColumns
    {
        get
        {
            var oids = new OidList();
            foreach (CompiledCounterTable table in CounterTables)
            {
                oids.Add(table.KeyColumn);
                oids.Add(table.ValueColumn);
                if (table.UnitColumn is { } unit)
                {
                    oids.Add(unit);
                }
            }

            return oids.Items;
        }
    }

    private IReadOnlyList<CompiledSource>[] TextSources => [Model, Serial, Firmware, StatusText];

    private static CompiledCounter Compile(CounterSource counter)
    {
        CheckCounterName(counter.Name);
        int ways = (counter.Oid is null ? 0 : 1) + (counter.Sum.Count > 0 ? 1 : 0) + (counter.First.Count > 0 ? 1 : 0);
        if (ways != 1)
        {
            throw new InvalidDataException($"counter '{counter.Name}' needs exactly one of oid, sum and first");
        }

        return counter.First.Count > 0
            ? new CompiledCounter(counter.Name, [.. counter.First.Select(ParseOid)], FirstAnswering: true)
            : new CompiledCounter(counter.Name, [.. (counter.Oid is null ? counter.Sum : [counter.Oid]).Select(ParseOid)], FirstAnswering: false);
    }

    internal static void CheckCounterName(string name)
    {
        if (!Readings.CounterNames.IsValid(name))
        {
            throw new InvalidDataException($"counter name '{name}' is not camelCase letters and digits of 2 to {Readings.CounterNames.MaxNameLength} characters");
        }
    }

    private static CompiledSource Compile(ValueSource source)
    {
        if ((source.Oid is null) == (source.From is null))
        {
            throw new InvalidDataException("a value source needs exactly one of oid and from");
        }

        if (source.From is not null && !ValueSources.Known.Contains(source.From))
        {
            throw new InvalidDataException($"unknown value source '{source.From}' (known: {string.Join(", ", ValueSources.Known)})");
        }

        return new CompiledSource(source.Oid is null ? (ObjectIdentifier?)null : ParseOid(source.Oid), source.From,
            source.Regex is null ? null : MakeRegex(source.Regex), source.DeviceIdKey);
    }

    internal static ObjectIdentifier ParseOid(string text) =>
        ObjectIdentifier.TryParse(text.TrimStart('.'), out ObjectIdentifier oid) && oid.Length >= 2
            ? oid
            : throw new InvalidDataException($"'{text}' is not a numeric OID");

    private static Regex MakeRegex(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
}

internal sealed record CompiledRule(ObjectIdentifier? Prefix, Regex? SysDescr, int Priority)
{
    public bool Matches(ObjectIdentifier? sysObjectId, string? sysDescr)
    {
        if (Prefix is { } prefix && (sysObjectId is not { } id || !id.StartsWith(prefix)))
        {
            return false;
        }

        return SysDescr is null || (sysDescr is not null && SafeIsMatch(SysDescr, sysDescr));
    }

    internal static bool SafeIsMatch(Regex regex, string text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

internal sealed record CompiledSource(ObjectIdentifier? Oid, string? From, Regex? Regex, string? DeviceIdKey);

/// <summary>A scalar counter: the sum of the <see cref="Oids"/> that answer, or (<see cref="FirstAnswering"/>) the first that does.</summary>
internal sealed record CompiledCounter(string Name, IReadOnlyList<ObjectIdentifier> Oids, bool FirstAnswering);

internal sealed record CompiledCounterTable(ObjectIdentifier KeyColumn, ObjectIdentifier ValueColumn, ObjectIdentifier? UnitColumn, long? Unit, IReadOnlyList<CompiledCounterRow> Rows);

internal sealed record CompiledCounterRow(string Counter, Regex Key, bool Sum);

/// <summary>The names a <see cref="ValueSource.From"/> may use.</summary>
internal static class ValueSources
{
    public const string SysDescr = "sysDescr";
    public const string HrDeviceDescr = "hrDeviceDescr";
    public const string EntPhysicalModelName = "entPhysicalModelName";
    public const string EntPhysicalSerialNum = "entPhysicalSerialNum";
    public const string EntPhysicalFirmwareRev = "entPhysicalFirmwareRev";
    public const string EntPhysicalSoftwareRev = "entPhysicalSoftwareRev";
    public const string PrtGeneralSerialNumber = "prtGeneralSerialNumber";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        SysDescr, HrDeviceDescr, EntPhysicalModelName, EntPhysicalSerialNum, EntPhysicalFirmwareRev, EntPhysicalSoftwareRev, PrtGeneralSerialNumber,
    };
}
