using System.Collections.Concurrent;
using System.Net;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>The liveness sockets as a table the test fills in: who answered what, and every datagram the passes sent.</summary>
internal sealed class FakeLivenessWire : ILivenessWire
{
    private readonly ConcurrentDictionary<IPAddress, byte> _snmp = new(), _refused = new(), _echo = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lookups;

    public IcmpMode Icmp { get; init; } = IcmpMode.Raw;

    public bool AnswersQueued { get; set; }

    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>(kind, address) of every send, in order: kind "echo" or "snmp".</summary>
    public ConcurrentQueue<(string Kind, IPAddress Address)> Sent { get; } = new();

    /// <summary>How many times a pass asked whether an address answered on the SNMP port.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    public bool SnmpAnswered(IPAddress address)
    {
        Interlocked.Increment(ref _lookups);
        return _snmp.ContainsKey(address);
    }

    public bool SnmpRefused(IPAddress address) => _refused.ContainsKey(address);

    public bool EchoReplied(IPAddress address) => _echo.ContainsKey(address);

    public void AnswerSnmp(IPAddress address) => Heard(_snmp, address);

    public void RefuseSnmp(IPAddress address) => Heard(_refused, address);

    public void AnswerEcho(IPAddress address) => Heard(_echo, address);

    public ValueTask SendEchoAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Sent.Enqueue(("echo", address));
        return ValueTask.CompletedTask;
    }

    public ValueTask SendSnmpAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Sent.Enqueue(("snmp", address));
        return ValueTask.CompletedTask;
    }

    public string[] SentTo(IPAddress address) => [.. Sent.Where(s => s.Address.Equals(address)).Select(s => s.Kind)];

    private void Heard(ConcurrentDictionary<IPAddress, byte> table, IPAddress address)
    {
        table.TryAdd(address, 0);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}

/// <summary>A neighbour table holding the given complete entries.</summary>
internal sealed class FakeNeighbourTable(params string[] resolved) : INeighbourTable
{
    public int Capacity => 1024;

    public NeighbourStats? ReadStats() => new NeighbourStats(0, 0, 0);

    public IReadOnlyList<NeighbourEntry> ReadEntries() =>
        [.. resolved.Select(a => new NeighbourEntry(IPAddress.Parse(a), "02:00:00:00:00:01", true, "lan0"))];

    public TimeSpan ResolveTime(string? device) => TimeSpan.FromSeconds(3);
}
