using OneStopPi.Snmp;

namespace OneStopPi.Collection.Requests;

/// <summary>
/// Reads several table columns at once: one GETBULK carries every column still open (GETNEXT on
/// SNMPv1), so a printer's supplies, colorants, markers, alerts and interfaces come back in two or
/// three requests. A column ends when the agent leaves it, says endOfMibView, or repeats or goes
/// back in OID order (the rows read so far are kept and the column is reported as broken).
/// </summary>
internal sealed class ColumnWalker
{
    private readonly CountedSnmp _snmp;

    public ColumnWalker(CountedSnmp snmp) => _snmp = snmp;

    /// <summary>Rows kept per column; more are dropped and the column reported as truncated.</summary>
    public int MaxRowsPerColumn { get; init; } = 256;

    /// <summary>Bound on the requests one walk may send with GETBULK (SNMPv2c/v3).</summary>
    public int MaxRequests { get; init; } = 12;

    /// <summary>Bound on the requests one walk may send on SNMPv1, where GETNEXT reads one row per request.</summary>
    public int MaxRequestsV1 { get; init; } = 64;

    /// <summary>max-repetitions of the first GETBULK (every column); later ones use <see cref="NextRepetitions"/>.</summary>
    public int FirstRepetitions { get; init; } = 1;

    public int NextRepetitions { get; init; } = 24;

    /// <summary>
    /// Cap on varbinds asked for in one GETBULK (columns × repetitions). 64 is a common agent limit
    /// (snmpsim's default --max-varbinds; snmpsim 0.4.5 --v2c-arch even loops forever when
    /// columns × repetitions exceeds it and 64 is not a multiple of the column count).
    /// </summary>
    public int MaxVarbindsPerRequest { get; init; } = 64;

    public async Task<ColumnSet> WalkAsync(IReadOnlyList<ObjectIdentifier> columns, CancellationToken cancellationToken)
    {
        var result = new ColumnSet(columns);
        if (columns.Count == 0)
        {
            return result;
        }

        var cursors = new ObjectIdentifier[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            cursors[i] = columns[i];
        }

        var open = new List<int>(Enumerable.Range(0, columns.Count));
        bool bulk = _snmp.CanBulk;
        int sent = 0;
        while (open.Count > 0)
        {
            if (sent >= (bulk ? MaxRequests : MaxRequestsV1))
            {
                result.Problems.Add($"table read stopped after {sent} requests with {open.Count} column(s) unfinished");
                break;
            }

            int repetitions = sent == 0 ? FirstRepetitions : NextRepetitions;
            repetitions = Math.Max(1, Math.Min(repetitions, MaxVarbindsPerRequest / open.Count));
            var ask = new ObjectIdentifier[open.Count];
            for (int i = 0; i < ask.Length; i++)
            {
                ask[i] = cursors[open[i]];
            }

            sent++;
            IReadOnlyList<Varbind> answer = bulk
                ? await _snmp.GetBulkAsync(repetitions, ask, cancellationToken).ConfigureAwait(false)
                : await _snmp.GetNextAsync(ask, cancellationToken).ConfigureAwait(false);
            if (answer.Count == 0)
            {
                break;
            }

            var closed = new HashSet<int>();
            for (int i = 0; i < answer.Count; i++)
            {
                int column = open[i % open.Count];
                if (closed.Contains(column))
                {
                    continue;
                }

                Varbind varbind = answer[i];
                if (varbind.Value.IsException || !varbind.Oid.IsDescendantOf(columns[column]))
                {
                    closed.Add(column);
                    continue;
                }

                if (varbind.Oid <= cursors[column])
                {
                    result.Problems.Add($"{columns[column]}: agent returned {varbind.Oid} after {cursors[column]} (OID not increasing)");
                    closed.Add(column);
                    continue;
                }

                if (result.Rows[column].Count >= MaxRowsPerColumn)
                {
                    result.Problems.Add($"{columns[column]}: more than {MaxRowsPerColumn} rows, rest ignored");
                    closed.Add(column);
                    continue;
                }

                result.Rows[column].Add(varbind);
                cursors[column] = varbind.Oid;
            }

            // On SNMPv1 (one row per request) an answer shorter than the request closes nothing; guard anyway.
            if (answer.Count < open.Count)
            {
                for (int i = answer.Count; i < open.Count; i++)
                {
                    closed.Add(open[i]);
                }
            }

            open.RemoveAll(closed.Contains);
        }

        return result;
    }
}

/// <summary>The rows read for each column asked for, in column order, plus anything that went wrong.</summary>
internal sealed class ColumnSet
{
    private readonly Dictionary<ObjectIdentifier, int> _index = [];

    public ColumnSet(IReadOnlyList<ObjectIdentifier> columns)
    {
        Columns = columns;
        Rows = new List<Varbind>[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            Rows[i] = [];
            _index[columns[i]] = i;
        }
    }

    public IReadOnlyList<ObjectIdentifier> Columns { get; }

    public List<Varbind>[] Rows { get; }

    public List<string> Problems { get; } = [];

    /// <summary>The rows of <paramref name="column"/>, keyed by the index arcs after the column OID.</summary>
    public IEnumerable<(uint[] Index, SnmpValue Value)> Column(ObjectIdentifier column)
    {
        if (!_index.TryGetValue(column, out int i))
        {
            yield break;
        }

        foreach (Varbind varbind in Rows[i])
        {
            yield return (varbind.Oid.SuffixAfter(column).ToArray(), varbind.Value);
        }
    }
}
