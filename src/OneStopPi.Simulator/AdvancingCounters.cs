using System.Globalization;
using System.Reflection;
using OneStopPi.Snmp;

namespace OneStopPi.Simulator;

/// <summary>How a record moves with time when page counters advance.</summary>
public enum AdvanceKind : byte
{
    /// <summary>Served exactly as recorded.</summary>
    None,

    /// <summary>A page counter: grows by the configured pages per minute times its weight.</summary>
    Pages,

    /// <summary>A TimeTicks uptime: grows by 100 per second.</summary>
    Uptime,

    /// <summary>prtMarkerSuppliesLevel of a supply with a maximum: drains with the pages (<see cref="DrainingDevice"/>).</summary>
    SupplyLevel,
}

/// <summary>One line of the advancing-counters list: a prefix, what it is, and a weight for page counters.</summary>
public sealed record AdvancingPrefix(ObjectIdentifier Prefix, AdvanceKind Kind, double Weight);

/// <summary>
/// The list of objects that advance over time (<c>Data/advancing-counters.txt</c>, embedded): data, not code,
/// so a vendor counter is added by adding a line. See the file for the format.
/// </summary>
public sealed class AdvancingCounters
{
    private const string ResourceName = "OneStopPi.Simulator.advancing-counters.txt";
    private readonly AdvancingPrefix[] _prefixes;

    public AdvancingCounters(IEnumerable<AdvancingPrefix> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        // Longest prefix first, so a more specific line wins.
        _prefixes = [.. prefixes.OrderByDescending(p => p.Prefix.Length)];
    }

    public IReadOnlyList<AdvancingPrefix> Prefixes => _prefixes;

    /// <summary>The list shipped inside this assembly.</summary>
    public static AdvancingCounters Default { get; } = LoadEmbedded();

    /// <summary>The kind and weight for <paramref name="oid"/>; <see cref="AdvanceKind.None"/> when no prefix matches.</summary>
    public (AdvanceKind Kind, double Weight) Classify(ObjectIdentifier oid)
    {
        foreach (AdvancingPrefix prefix in _prefixes)
        {
            if (oid.StartsWith(prefix.Prefix))
            {
                return (prefix.Kind, prefix.Weight);
            }
        }

        return (AdvanceKind.None, 0);
    }

    /// <summary>Parses the list format; throws <see cref="FormatException"/> with the line number on a bad line.</summary>
    public static AdvancingCounters Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var prefixes = new List<AdvancingPrefix>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            string content = (hash >= 0 ? line[..hash] : line).Trim();
            if (content.Length == 0)
            {
                continue;
            }

            string[] fields = content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            AdvanceKind kind = fields[0] switch
            {
                "pages" => AdvanceKind.Pages,
                "uptime" => AdvanceKind.Uptime,
                _ => throw new FormatException($"line {lineNumber}: '{fields[0]}' is not 'pages' or 'uptime'"),
            };
            if (fields.Length < 2 || !ObjectIdentifier.TryParse(fields[1], out ObjectIdentifier prefix))
            {
                throw new FormatException($"line {lineNumber}: expected an OID prefix after '{fields[0]}'");
            }

            double weight = 1;
            if (fields.Length > 2 && (kind != AdvanceKind.Pages
                || !double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || weight < 0 || fields.Length > 3))
            {
                throw new FormatException($"line {lineNumber}: expected 'pages PREFIX [WEIGHT]' or 'uptime PREFIX'");
            }

            prefixes.Add(new AdvancingPrefix(prefix, kind, weight));
        }

        return new AdvancingCounters(prefixes);
    }

    private static AdvancingCounters LoadEmbedded()
    {
        using Stream stream = typeof(AdvancingCounters).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    /// <summary>
    /// The value of a record <paramref name="elapsed"/> after the simulator started. Page counters grow by
    /// floor(rate·weight·minutes + phase), so each device (its own <paramref name="phase"/> in [0, 1)) ticks at
    /// its own instants; uptimes by 100 per second. Types that cannot count (strings, negative INTEGERs) stay.
    /// </summary>
    public static SnmpValue Advance(SnmpValue recorded, AdvanceKind kind, double weight, double pagesPerMinute, double phase, TimeSpan elapsed)
    {
        if (kind == AdvanceKind.None || elapsed <= TimeSpan.Zero)
        {
            return recorded;
        }

        if (kind == AdvanceKind.Uptime)
        {
            ulong delta = (ulong)(elapsed.Ticks / (TimeSpan.TicksPerSecond / 100));
            return recorded.Type == SnmpValueType.TimeTicks
                ? SnmpValue.TimeTicks(unchecked((uint)(recorded.AsUInt64() + delta)))
                : recorded;
        }

        return AdvanceBy(recorded, Math.Floor((pagesPerMinute * weight * elapsed.TotalMinutes) + phase));
    }

    /// <summary>A page counter <paramref name="pages"/> pages on from its recorded value, in the recorded type.</summary>
    public static SnmpValue AdvanceBy(SnmpValue recorded, double pages)
    {
        if (pages <= 0 || double.IsNaN(pages))
        {
            return recorded;
        }

        ulong delta = pages >= ulong.MaxValue ? ulong.MaxValue : (ulong)pages;
        switch (recorded.Type)
        {
            case SnmpValueType.Counter32:
                return SnmpValue.Counter32(unchecked((uint)(recorded.AsUInt64() + delta)));
            case SnmpValueType.Counter64:
                return SnmpValue.Counter64(unchecked(recorded.AsUInt64() + delta));
            case SnmpValueType.TimeTicks:
                return SnmpValue.TimeTicks(unchecked((uint)(recorded.AsUInt64() + delta)));
            case SnmpValueType.Gauge32:
                return SnmpValue.Gauge32((uint)Math.Min(uint.MaxValue, recorded.AsUInt64() + Math.Min(delta, uint.MaxValue)));
            case SnmpValueType.Integer32 when recorded.TryGetInt64(out long n) && n >= 0 && n <= int.MaxValue:
                return SnmpValue.Integer32((int)Math.Min(int.MaxValue, n + (long)Math.Min(delta, int.MaxValue)));
            default:
                return recorded;
        }
    }
}
