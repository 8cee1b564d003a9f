using System.Net;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Transport;

/// <summary>
/// What counts as a lost request and what does not (127.0.91.30): an answer that arrived in time but was not
/// read yet is not a timeout; a send the kernel refuses for one address is that datagram lost, not a failure.
/// </summary>
[TestFixture]
public sealed class SnmpClientLossTests
{
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    private TestResponder _responder = null!;

    [SetUp]
    public void StartResponder()
    {
        _responder = TestResponder.Start("127.0.91.30");
        _responder.Add(SysDescr, SnmpValue.OctetString("responder"));
    }

    [TearDown]
    public async Task StopResponder() => await _responder.DisposeAsync();

    [Test]
    public async Task An_answer_that_arrived_before_the_deadline_but_is_not_read_yet_is_not_a_timeout()
    {
        // The responder holds both requests; the test sends the answers itself, in order.
        var held = new List<(CommunityMessage Request, IPEndPoint From)>();
        _responder.Override = (request, from) =>
        {
            lock (held)
            {
                held.Add((request, from));
            }

            return [];
        };
        var time = new ReceiveStallingClock();
        await using var client = new SnmpClient(new SnmpClientOptions { TimeProvider = time });

        // The first request's answer holds the receive loop mid-dispatch (its round-trip estimate reads the clock),
        // as a receive thread descheduled on a busy machine would be; the second's answer then waits in the socket.
        SnmpTarget first = Target() with { RoundTrip = new RoundTripEstimator(TimeSpan.FromMilliseconds(1)) };
        Task<IReadOnlyList<Varbind>> holding = client.GetAsync(first, [SysDescr]).AsTask();
        await _responder.WaitForRequestsAsync(1);
        Task<IReadOnlyList<Varbind>> waiting = client.GetAsync(Target(), [SysDescr]).AsTask();
        await _responder.WaitForRequestsAsync(2);

        time.StallNextReceiveThreadReading();
        _responder.SendTo(_responder.Answer(held[0].Request), held[0].From);
        Assert.That(time.ReceiveThreadStalled.Wait(TimeSpan.FromSeconds(10)), Is.True, "the receive loop took the first answer");
        _responder.SendTo(_responder.Answer(held[1].Request), held[1].From);
        await Task.Delay(100); // loopback delivery is immediate; this only leaves the datagram time to be queued

        time.Advance(TimeSpan.FromSeconds(3)); // far past the second request's deadline: the sweep runs now
        time.ReleaseReceiveThread();

        IReadOnlyList<Varbind> answer = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(answer.Single().Value, Is.EqualTo(SnmpValue.OctetString("responder")));
            Assert.That(holding.IsCompletedSuccessfully, Is.True);
            Assert.That(client.Statistics.Timeouts, Is.Zero);
            Assert.That(client.Statistics.ResponsesMatched, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_request_whose_answer_never_comes_still_times_out_on_a_fake_clock()
    {
        _responder.Override = (_, _) => [];
        var time = new FakeTimeProvider();
        await using var client = new SnmpClient(new SnmpClientOptions { TimeProvider = time });
        Task<IReadOnlyList<Varbind>> request = client.GetAsync(Target(), [SysDescr]).AsTask();
        await _responder.WaitForRequestsAsync(1);
        await Task.Delay(50); // the receive loop is back waiting: nothing queued, nothing held

        time.Advance(TimeSpan.FromSeconds(1));

        var error = Assert.ThrowsAsync<SnmpTimeoutException>(async () => await request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(error!.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task A_send_the_kernel_refuses_is_a_lost_datagram_then_a_timeout()
    {
        // Linux refuses a datagram to a broadcast address from a socket without SO_BROADCAST with EACCES, the
        // errno a firewall's OUTPUT rule gives (EPERM maps to the same SocketError): nothing leaves the host.
        await using var client = new SnmpClient();
        var target = new SnmpTarget(new IPEndPoint(IPAddress.Parse("127.255.255.255"), 161), new CommunityCredentials(SnmpVersion.V2c, "public"))
        {
            Timeout = TimeSpan.FromMilliseconds(50),
            Retries = 1,
        };

        var error = Assert.ThrowsAsync<SnmpTimeoutException>(async () => await client.GetAsync(target, [SysDescr]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Attempts, Is.EqualTo(2), "the retry rules applied: one retransmission, refused too");
            Assert.That(client.Statistics.SendErrors, Is.EqualTo(2));
            Assert.That(client.Statistics.DatagramsSent, Is.Zero);
        });
    }

    private SnmpTarget Target() =>
        new(_responder.EndPoint, new CommunityCredentials(SnmpVersion.V2c, "public")) { Timeout = TimeSpan.FromSeconds(1), Retries = 0 };

    /// <summary>
    /// A fake clock that, once asked, holds the next reading taken on the client's receive thread until released:
    /// the receive loop is then stopped where a preempted thread would be, with a datagram in hand.
    /// </summary>
    private sealed class ReceiveStallingClock : TimeProvider
    {
        private readonly FakeTimeProvider _inner = new();
        private readonly ManualResetEventSlim _release = new(false);
        private int _armed;

        public ManualResetEventSlim ReceiveThreadStalled { get; } = new(false);

        public void StallNextReceiveThreadReading() => Volatile.Write(ref _armed, 1);

        public void ReleaseReceiveThread() => _release.Set();

        public void Advance(TimeSpan delta) => _inner.Advance(delta);

        public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

        public override long TimestampFrequency => _inner.TimestampFrequency;

        public override long GetTimestamp()
        {
            if (Thread.CurrentThread.Name == "snmp-receive" && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                ReceiveThreadStalled.Set();
                _release.Wait(TimeSpan.FromSeconds(30)); // a hang guard
            }

            return _inner.GetTimestamp();
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            _inner.CreateTimer(callback, state, dueTime, period);
    }
}
