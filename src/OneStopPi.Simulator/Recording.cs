using OneStopPi.Snmp;
using OneStopPi.Snmp.Text;

namespace OneStopPi.Simulator;

/// <summary>
/// One snmprec recording, parsed once and shared by every device that serves it: OIDs and values in
/// two immutable arrays sorted by OID, searched by binary search. Records that cannot be read are
/// skipped and reported (<see cref="RecordingLoader"/>); of duplicate OIDs the first one in the file is
/// kept (snmpsim serves "either copy", FORMAT.md).
/// </summary>
public sealed class Recording
{
    private readonly ObjectIdentifier[] _oids;
    private readonly SnmpValue[] _values;

    private Recording(string name, string? path, ObjectIdentifier[] oids, SnmpValue[] values)
    {
        Name = name;
        Path = path;
        _oids = oids;
        _values = values;
    }

    /// <summary>The file name (e.g. <c>jetdirect.snmprec</c>), or the name given to <see cref="FromVarbinds"/>.</summary>
    public string Name { get; }

    /// <summary>Full path of the file it was loaded from; null when built in memory.</summary>
    public string? Path { get; }

    public int Count => _oids.Length;

    public ObjectIdentifier OidAt(int index) => _oids[index];

    public SnmpValue ValueAt(int index) => _values[index];

    public IEnumerable<Varbind> Varbinds
    {
        get
        {
            for (int i = 0; i < _oids.Length; i++)
            {
                yield return new Varbind(_oids[i], _values[i]);
            }
        }
    }

    /// <summary>Index of the record with exactly this OID, or -1.</summary>
    public int IndexOf(ObjectIdentifier oid)
    {
        int index = Array.BinarySearch(_oids, oid);
        return index >= 0 ? index : -1;
    }

    /// <summary>Index of the first record whose OID is greater than <paramref name="oid"/> (GETNEXT), or <see cref="Count"/>.</summary>
    public int IndexAfter(ObjectIdentifier oid)
    {
        int index = Array.BinarySearch(_oids, oid);
        return index >= 0 ? index + 1 : ~index;
    }

    /// <summary>
    /// Builds a recording from records in any order: sorted by OID, duplicates dropped (first kept).
    /// <paramref name="duplicates"/> receives the positions (in <paramref name="records"/>) of the dropped ones.
    /// </summary>
    public static Recording FromVarbinds(string name, IReadOnlyList<Varbind> records, string? path = null) =>
        FromVarbinds(name, records, path, out _);

    internal static Recording FromVarbinds(string name, IReadOnlyList<Varbind> records, string? path, out List<int> duplicates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(records);
        duplicates = [];

        // A stable sort (by OID, then by position) keeps the first of equal OIDs in front.
        int[] order = new int[records.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            int c = records[a].Oid.CompareTo(records[b].Oid);
            return c != 0 ? c : a.CompareTo(b);
        });

        var oids = new List<ObjectIdentifier>(order.Length);
        var values = new List<SnmpValue>(order.Length);
        foreach (int i in order)
        {
            if (oids.Count > 0 && oids[^1] == records[i].Oid)
            {
                duplicates.Add(i);
                continue;
            }

            oids.Add(records[i].Oid);
            values.Add(records[i].Value);
        }

        return new Recording(name, path, [.. oids], [.. values]);
    }
}

/// <summary>A record that was skipped or changed while loading: file, 1-based line and what was wrong.</summary>
public sealed record RecordingProblem(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>Recordings loaded from a directory and what was wrong with them.</summary>
public sealed record RecordingSet(IReadOnlyList<Recording> Recordings, IReadOnlyList<RecordingProblem> Problems);

/// <summary>Reads snmprec files with <see cref="SnmprecFormat.TryParseRecord"/>; never throws for bad records.</summary>
public static class RecordingLoader
{
    public const string Extension = ".snmprec";

    /// <summary>Every <c>*.snmprec</c> in <paramref name="directory"/> (not recursive), in ordinal order of file name.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static RecordingSet LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"No such directory: {directory}");
        }

        string[] files = Directory.GetFiles(directory, "*" + Extension);
        Array.Sort(files, StringComparer.Ordinal);
        var recordings = new List<Recording>(files.Length);
        var problems = new List<RecordingProblem>();
        foreach (string file in files)
        {
            try
            {
                recordings.Add(LoadFile(file, problems));
            }
            catch (IOException e)
            {
                problems.Add(new RecordingProblem(System.IO.Path.GetFileName(file), 0, $"cannot read: {e.Message}"));
            }
            catch (UnauthorizedAccessException e)
            {
                problems.Add(new RecordingProblem(System.IO.Path.GetFileName(file), 0, $"cannot read: {e.Message}"));
            }
        }

        return new RecordingSet(recordings, problems);
    }

    /// <summary>One file; unreadable records and duplicate OIDs are added to <paramref name="problems"/>.</summary>
    public static Recording LoadFile(string path, ICollection<RecordingProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        return Load(System.IO.Path.GetFileName(path), reader, problems, System.IO.Path.GetFullPath(path));
    }

    /// <summary>Parses snmprec text from <paramref name="reader"/>.</summary>
    public static Recording Load(string name, TextReader reader, ICollection<RecordingProblem> problems, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(problems);
        var records = new List<Varbind>();
        var lines = new List<int>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (SnmprecFormat.TryParseRecord(line, out Varbind varbind, out string? error))
            {
                records.Add(varbind);
                lines.Add(lineNumber);
            }
            else if (error is not null)
            {
                problems.Add(new RecordingProblem(name, lineNumber, $"{error}; record skipped: {Shorten(line)}"));
            }
        }

        Recording recording = Recording.FromVarbinds(name, records, path, out List<int> duplicates);
        duplicates.Sort();
        foreach (int i in duplicates)
        {
            problems.Add(new RecordingProblem(name, lines[i], $"duplicate OID {records[i].Oid}; the first record is served"));
        }

        return recording;
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : string.Concat(line.AsSpan(0, 77), "...");
}
