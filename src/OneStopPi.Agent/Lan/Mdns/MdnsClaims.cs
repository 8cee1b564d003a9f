using Makaretu.Dns;

namespace OneStopPi.Agent.Lan.Mdns;

/// <summary>
/// The names other responders on the link have answered for (RFC 6762 §9), recorded from the moment the
/// socket is bound until probing ends. Kept as a set rather than a signal armed per probe: an answer read
/// before the probe of its name began (queued while the socket was bound, or between two attempts)
/// still makes that name taken.
/// </summary>
public sealed class MdnsClaims
{
    private readonly object _gate = new();
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private TaskCompletionSource _recorded = NewSignal();
    private bool _closed;

    /// <summary>True until <see cref="Close"/>: responses are still recorded.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return !_closed;
            }
        }
    }

    /// <summary>
    /// Records the names <paramref name="response"/> answers for; goodbyes (TTL 0) claim nothing.
    /// False once closed (the names are ours then; later answers are not probing conflicts).
    /// </summary>
    public bool Record(Message response)
    {
        TaskCompletionSource recorded;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            bool added = false;
            foreach (ResourceRecord record in response.Answers.Concat(response.AdditionalRecords))
            {
                if (record.TTL > TimeSpan.Zero)
                {
                    added |= _names.Add(record.Name.ToString());
                }
            }

            if (!added)
            {
                return true;
            }

            recorded = _recorded;
            _recorded = NewSignal();
        }

        recorded.TrySetResult();
        return true;
    }

    /// <summary>True when someone else has answered for the zone's instance or host name.</summary>
    public bool IsTaken(MdnsZone zone)
    {
        lock (_gate)
        {
            return _names.Contains(zone.Instance.ToString()) || _names.Contains(zone.Host.ToString());
        }
    }

    /// <summary>Completes when a name is recorded after this call.</summary>
    public Task NextRecordAsync()
    {
        lock (_gate)
        {
            return _recorded.Task;
        }
    }

    /// <summary>Probing is over: nothing more is recorded.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _names.Clear();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
