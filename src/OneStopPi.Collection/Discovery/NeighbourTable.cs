using System.Globalization;
using System.Net;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The machine-wide IPv4 neighbour-cache counters of <c>/proc/net/stat/arp_cache</c>: one line per
/// CPU in hex, summed, except <c>entries</c> (the current machine-wide count, the same on every line).
/// </summary>
public readonly record struct NeighbourStats(long Entries, long TableFulls, long UnresolvedDiscards)
{
    /// <summary>Parses the file's text; null when it has no header or no data line.</summary>
    public static NeighbourStats? Parse(ReadOnlySpan<char> text)
    {
        int entriesColumn = -1, fullsColumn = -1, discardsColumn = -1;
        long entries = 0, fulls = 0, discards = 0;
        bool header = true, any = false;
        foreach (Range lineRange in text.Split('\n'))
        {
            ReadOnlySpan<char> line = text[lineRange].Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            int column = 0;
            foreach (Range fieldRange in line.Split(' '))
            {
                ReadOnlySpan<char> field = line[fieldRange];
                if (field.IsEmpty)
                {
                    continue;
                }

                if (header)
                {
                    if (field.SequenceEqual("entries"))
                    {
                        entriesColumn = column;
                    }
                    else if (field.SequenceEqual("table_fulls"))
                    {
                        fullsColumn = column;
                    }
                    else if (field.SequenceEqual("unresolved_discards"))
                    {
                        discardsColumn = column;
                    }
                }
                else if (column == entriesColumn || column == fullsColumn || column == discardsColumn)
                {
                    if (!long.TryParse(field, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long value))
                    {
                        return null;
                    }

                    if (column == entriesColumn)
                    {
                        entries = value;
                    }
                    else if (column == fullsColumn)
                    {
                        fulls += value;
                    }
                    else
                    {
                        discards += value;
                    }
                }

                column++;
            }

            if (header)
            {
                if (entriesColumn < 0 || fullsColumn < 0)
                {
                    return null;
                }

                header = false;
            }
            else
            {
                any = true;
            }
        }

        return any ? new NeighbourStats(entries, fulls, discards) : null;
    }
}

/// <summary>One row of <c>/proc/net/arp</c>.</summary>
public readonly record struct NeighbourEntry(IPAddress Address, string? Mac, bool Complete, string Device);

/// <summary>What discovery needs to know about the kernel's neighbour table.</summary>
public interface INeighbourTable
{
    /// <summary>The machine-wide counters, or null when they cannot be read (then pacing is by time alone).</summary>
    NeighbourStats? ReadStats();

    /// <summary>The neighbour table of this network namespace.</summary>
    IReadOnlyList<NeighbourEntry> ReadEntries();

    /// <summary>gc_thresh3: the most non-permanent entries the machine keeps.</summary>
    int Capacity { get; }

    /// <summary>How long an unanswered address holds an INCOMPLETE entry (mcast_solicit × retrans_time).</summary>
    TimeSpan ResolveTime(string? device);
}

/// <summary>The Linux neighbour table, read from /proc: no process per address, no netlink dependency.</summary>
public sealed class ProcNeighbourTable : INeighbourTable
{
    /// <summary>The kernel default of gc_thresh3, used when the initial namespace's setting cannot be read.</summary>
    public const int DefaultCapacity = 1024;

    private static readonly TimeSpan DefaultResolveTime = TimeSpan.FromSeconds(3);
    private readonly string _proc;

    /// <param name="proc">The procfs root; tests point it at a copy.</param>
    public ProcNeighbourTable(string proc = "/proc")
    {
        _proc = proc;
        StatsPath = FirstExisting(Path.Combine(proc, "net/stat/arp_cache"), Path.Combine(proc, "1/net/stat/arp_cache"));
        Capacity = ReadInt(Path.Combine(proc, "sys/net/ipv4/neigh/default/gc_thresh3")) ?? DefaultCapacity;
    }

    /// <summary>
    /// Where the counters come from: <c>/proc/net/stat/arp_cache</c> exists only in the initial network
    /// namespace; inside another one, the initial namespace's file through PID 1 (root only).
    /// </summary>
    public string? StatsPath { get; }

    public int Capacity { get; }

    public NeighbourStats? ReadStats()
    {
        if (StatsPath is null)
        {
            return null;
        }

        try
        {
            return NeighbourStats.Parse(File.ReadAllText(StatsPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public IReadOnlyList<NeighbourEntry> ReadEntries()
    {
        try
        {
            return ParseArp(File.ReadAllText(Path.Combine(_proc, "net/arp")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public TimeSpan ResolveTime(string? device)
    {
        string directory = Path.Combine(_proc, "sys/net/ipv4/neigh", device ?? "default");
        int? solicit = ReadInt(Path.Combine(directory, "mcast_solicit"));
        int? retransMs = ReadInt(Path.Combine(directory, "retrans_time_ms"));
        return solicit is > 0 && retransMs is > 0 ? TimeSpan.FromMilliseconds((double)solicit.Value * retransMs.Value) : DefaultResolveTime;
    }

    /// <summary>Parses /proc/net/arp: "IP address  HW type  Flags  HW address  Mask  Device"; flag 0x2 = complete.</summary>
    public static IReadOnlyList<NeighbourEntry> ParseArp(ReadOnlySpan<char> text)
    {
        var entries = new List<NeighbourEntry>();
        bool header = true;
        Span<Range> fields = stackalloc Range[8];
        foreach (Range lineRange in text.Split('\n'))
        {
            ReadOnlySpan<char> line = text[lineRange].Trim();
            if (header)
            {
                header = false;
                continue;
            }

            if (line.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries) < 6
                || !IPAddress.TryParse(line[fields[0]], out IPAddress? address)
                || !int.TryParse(line[fields[2]].StartsWith("0x") ? line[fields[2]][2..] : line[fields[2]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int flags))
            {
                continue;
            }

            bool complete = (flags & 0x2) != 0;
            string mac = line[fields[3]].ToString().ToLowerInvariant();
            entries.Add(new NeighbourEntry(address, complete && mac != "00:00:00:00:00:00" ? mac : null, complete, line[fields[5]].ToString()));
        }

        return entries;
    }

    private static string? FirstExisting(params ReadOnlySpan<string> paths)
    {
        foreach (string path in paths)
        {
            try
            {
                using FileStream stream = File.OpenRead(path);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not this one: absent in this namespace, or not root.
            }
        }

        return null;
    }

    private static int? ReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
