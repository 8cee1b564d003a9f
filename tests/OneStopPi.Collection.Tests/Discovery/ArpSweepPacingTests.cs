using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>The ARP sweep's schedule on a stand-in wire and a fake clock: who is asked how often, how fast.</summary>
public sealed class ArpSweepPacingTests
{
    private static readonly ArpLink Link = new("lan0", 2, [0x02, 0x50, 0xc6, 0x12, 0x00, 0x01], IPAddress.Parse("198.18.0.1"));
    private static readonly IPAddress[] Targets = [.. Enumerable.Range(10, 200).Select(i => IPAddress.Parse($"198.18.{i / 256}.{i % 256}"))];
    private static readonly HashSet<IPAddress> Live = [.. Targets.Where((_, i) => i % 10 == 3)];

    [Test]
    public async Task Silent_addresses_are_asked_three_times_apart_live_ones_once_never_faster_than_the_rate()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var wire = new FakeWire(clock, Live);
        var options = new ArpSweepOptions { Rate = 1000, Attempts = 3, Interval = TimeSpan.FromMilliseconds(250), Linger = TimeSpan.FromMilliseconds(400) };
        await using var sweeper = new ArpSweeper(wire, Link, clock, NullLogger.Instance);
        var counted = new List<IPAddress>();
        Task<bool> sweep = sweeper.SweepAsync(Targets, options, a => counted.Add(a));
        List<ArpAnswer> answers = await DrainAsync(sweeper, sweep, clock);

        (IPAddress Target, TimeSpan At)[] requests = wire.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(sweep.Result, Is.True);
            Assert.That(answers.Select(a => a.Address), Is.EquivalentTo(Live), "every live address once, in the answers");
            Assert.That(answers.All(a => a.Mac == FakeWire.MacOf(a.Address)), Is.True, "with the MAC it answered from");
            Assert.That(counted, Is.EqualTo(Targets), "each address counted once, at its first request, in order");
            foreach (IGrouping<IPAddress, (IPAddress Target, TimeSpan At)> asked in requests.GroupBy(r => r.Target))
            {
                Assert.That(asked.Count(), Is.EqualTo(Live.Contains(asked.Key) ? 1 : 3), asked.Key.ToString());
                TimeSpan[] at = [.. asked.Select(r => r.At)];
                Assert.That(at.Zip(at.Skip(1), (a, b) => b - a).All(gap => gap >= options.Interval), Is.True, $"{asked.Key}: {string.Join(", ", at)}");
            }

            Assert.That(requests.Select(r => r.Target).Distinct().Count(), Is.EqualTo(Targets.Length));
            Assert.That(sweeper.RequestsSent, Is.EqualTo(requests.Length));
            // 1,000 frames/s, 2 ms of slack and 10 ms of catch-up credit: no 100 ms window holds more than 100 + 13.
            int busiest = requests.Max(r => requests.Count(o => o.At >= r.At && o.At < r.At + TimeSpan.FromMilliseconds(100)));
            Assert.That(busiest, Is.LessThanOrEqualTo(113), "frames in the busiest 100 ms");
            Assert.That(busiest, Is.GreaterThanOrEqualTo(90), "and not much slower than the rate either");
            Assert.That(wire.Elapsed, Is.GreaterThanOrEqualTo(requests.Max(r => r.At) + options.Linger), "late replies were waited for");
        });
    }

    [Test]
    public async Task Everyone_answering_ends_the_sweep_without_lingering()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var wire = new FakeWire(clock, [.. Targets]);
        await using var sweeper = new ArpSweeper(wire, Link, clock, NullLogger.Instance);
        Task<bool> sweep = sweeper.SweepAsync(Targets, new ArpSweepOptions { Rate = 1000 });
        List<ArpAnswer> answers = await DrainAsync(sweeper, sweep, clock);
        Assert.That((answers.Count, wire.Requests.Length), Is.EqualTo((Targets.Length, Targets.Length)));
        Assert.That(wire.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(300)), "200 frames at 1,000/s, then nothing to wait for");
    }

    [Test]
    public async Task A_full_device_queue_is_waited_out_and_a_refusing_interface_ends_the_sweep()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var wire = new FakeWire(clock, Live) { Refuse = (n) => n == 5 ? SocketError.NoBufferSpaceAvailable : n == 50 ? SocketError.NetworkDown : null };
        await using var sweeper = new ArpSweeper(wire, Link, clock, NullLogger.Instance);
        Task<bool> sweep = sweeper.SweepAsync(Targets, new ArpSweepOptions { Rate = 1000 });
        await DrainAsync(sweeper, sweep, clock);
        Assert.Multiple(() =>
        {
            Assert.That(sweep.Result, Is.False, "the interface went down: the caller must probe the rest another way");
            Assert.That(sweeper.SendRetries, Is.EqualTo(1), "ENOBUFS is retried, not taken for silence");
            Assert.That(wire.Requests.Select(r => r.Target).Take(5), Is.EqualTo(Targets.Take(5)), "the refused frame went out on its retry");
            Assert.That(sweeper.Answers.Completion.IsCompleted, Is.True, "the answers end with the sweep");
        });
    }

    /// <summary>Moves the fake clock a millisecond at a time until the sweep ends (bounded), collecting the answers.</summary>
    private static async Task<List<ArpAnswer>> DrainAsync(ArpSweeper sweeper, Task<bool> sweep, FakeTimeProvider clock)
    {
        for (int step = 0; step < 20_000 && !sweep.IsCompleted; step++)
        {
            await Task.Delay(step % 50 == 0 ? 1 : 0);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.That(sweep.IsCompleted, Is.True, "the sweep did not end within 20 s of fake time");
        var answers = new List<ArpAnswer>();
        await foreach (ArpAnswer answer in sweeper.Answers.ReadAllAsync())
        {
            answers.Add(answer);
        }

        return answers;
    }

    /// <summary>A wire on which the <c>live</c> addresses answer every request at once.</summary>
    private sealed class FakeWire(FakeTimeProvider clock, HashSet<IPAddress> live) : IFrameLink
    {
        private readonly DateTimeOffset _start = clock.GetUtcNow();
        private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>();
        private readonly List<(IPAddress, TimeSpan)> _requests = [];
        private int _sends;

        public Func<int, SocketError?> Refuse { get; init; } = _ => null;

        public (IPAddress Target, TimeSpan At)[] Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public TimeSpan Elapsed => clock.GetUtcNow() - _start;

        public int QueuedBytes => _inbound.Reader.Count * ArpSweeper.FrameLength;

        public static string MacOf(IPAddress address) => $"02:00:00:00:{address.GetAddressBytes()[2]:x2}:{address.GetAddressBytes()[3]:x2}";

        public void Send(ReadOnlySpan<byte> frame)
        {
            if (Refuse(Interlocked.Increment(ref _sends)) is { } error)
            {
                throw new SocketException((int)error);
            }

            uint target = BinaryPrimitives.ReadUInt32BigEndian(frame[38..]);
            var address = TargetRange.FromUInt32(target);
            lock (_requests)
            {
                _requests.Add((address, Elapsed));
            }

            if (live.Contains(address))
            {
                byte[] mac = [.. MacOf(address).Split(':').Select(b => Convert.ToByte(b, 16))];
                byte[] reply = new byte[ArpSweeper.FrameLength];
                ArpSweeper.BuildRequest(reply, mac, target, BinaryPrimitives.ReadUInt32BigEndian(frame[28..]));
                BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(20), 2); // a reply...
                frame[22..28].CopyTo(reply.AsSpan(32));                      // ...to the asker's MAC
                _inbound.Writer.TryWrite(reply);
            }
        }

        public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            byte[] frame = await _inbound.Reader.ReadAsync(cancellationToken);
            frame.CopyTo(buffer);
            return frame.Length;
        }

        public void Dispose() => _inbound.Writer.TryComplete();
    }
}
