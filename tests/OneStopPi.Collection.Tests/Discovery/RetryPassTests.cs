using System.Net;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>The retry pass: what is asked again, and when (a fake wire, a fake clock).</summary>
public sealed class RetryPassTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Test]
    public async Task Only_what_is_still_unanswered_is_sent_again()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire();
        IPAddress both = Ip(1), snmpOnly = Ip(2), refused = Ip(3), silent = Ip(4), echoOnly = Ip(5);
        wire.AnswerSnmp(both);
        wire.AnswerEcho(both);
        wire.AnswerSnmp(snmpOnly);
        wire.RefuseSnmp(refused);
        wire.AnswerEcho(echoOnly);
        ProbeRecord[] sent = [.. new[] { both, snmpOnly, refused, silent, echoOnly }.Select(a => Routed(a, time))];

        await RunAsync(new RetryPass(wire, new NeighbourSnapshot(new FakeNeighbourTable(), time), time), sent, time, retries: 1);

        Assert.Multiple(() =>
        {
            Assert.That(wire.SentTo(both), Is.Empty, "answered both");
            Assert.That(wire.SentTo(snmpOnly), Is.EqualTo(new[] { "echo" }));
            Assert.That(wire.SentTo(refused), Is.EqualTo(new[] { "echo" }), "port unreachable: no agent to ask again");
            Assert.That(wire.SentTo(silent), Is.EqualTo(new[] { "echo", "snmp" }));
            Assert.That(wire.SentTo(echoOnly), Is.EqualTo(new[] { "snmp" }));
        });
    }

    [Test]
    public async Task An_on_link_address_whose_neighbour_never_resolved_is_not_asked_again()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire();
        IPAddress unresolved = Ip(1), resolved = Ip(2), answeredArp = Ip(3);
        var neighbours = new NeighbourSnapshot(new FakeNeighbourTable(resolved.ToString()), time);
        ProbeRecord[] sent =
        [
            new(unresolved, onLink: true, afterArp: false, time.GetTimestamp()),
            new(resolved, onLink: true, afterArp: false, time.GetTimestamp()),
            new(answeredArp, onLink: true, afterArp: true, time.GetTimestamp()), // the table may have dropped it; its ARP answer says it is there
        ];

        await RunAsync(new RetryPass(wire, neighbours, time), sent, time, retries: 1);

        Assert.Multiple(() =>
        {
            Assert.That(wire.SentTo(unresolved), Is.Empty, "the kernel asked ARP three times: nobody is there");
            Assert.That(wire.SentTo(resolved), Is.EqualTo(new[] { "echo", "snmp" }));
            Assert.That(wire.SentTo(answeredArp), Is.EqualTo(new[] { "echo", "snmp" }));
        });
    }

    [Test]
    public async Task Each_retry_waits_one_timeout_after_the_first_send_and_moves_the_last_send()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire();
        ProbeRecord early = Routed(Ip(1), time);
        time.Advance(TimeSpan.FromMilliseconds(400));
        ProbeRecord late = Routed(Ip(2), time);
        var pass = new RetryPass(wire, new NeighbourSnapshot(new FakeNeighbourTable(), time), time);

        Task running = pass.RunAsync([early, late], Timeout, retries: 2, CancellationToken.None);
        await SettleAsync();
        Assert.That(wire.Sent, Is.Empty, "nothing before a timeout");

        time.Advance(TimeSpan.FromMilliseconds(600)); // 1 s after the first send of the early one
        await UntilAsync(() => wire.Sent.Count >= 2);
        await SettleAsync();
        Assert.That(wire.Sent.Select(s => s.Address), Is.EqualTo(new[] { Ip(1), Ip(1) }), "the early one only");
        Assert.That(time.GetElapsedTime(early.LastSent), Is.EqualTo(TimeSpan.Zero), "its last send is now");

        time.Advance(TimeSpan.FromMilliseconds(400)); // 1 s after the late one's first send
        await UntilAsync(() => wire.Sent.Count >= 4);

        time.Advance(TimeSpan.FromMilliseconds(600)); // 2 s after the early one: its second retry
        await UntilAsync(() => wire.Sent.Count >= 6);
        await SettleAsync();
        Assert.That(wire.Sent, Has.Count.EqualTo(6), "the late one's second retry is 400 ms away");
        time.Advance(TimeSpan.FromMilliseconds(400));
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(wire.Sent, Has.Count.EqualTo(8), "two retries of echo and SNMP each for two silent addresses");
    }

    [Test]
    public async Task Without_icmp_only_the_snmp_datagram_is_sent_again()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire { Icmp = IcmpMode.Unavailable };
        await RunAsync(new RetryPass(wire, new NeighbourSnapshot(new FakeNeighbourTable(), time), time), [Routed(Ip(1), time)], time, retries: 1);
        Assert.That(wire.SentTo(Ip(1)), Is.EqualTo(new[] { "snmp" }));
    }

    private static IPAddress Ip(int host) => IPAddress.Parse($"198.19.0.{host}");

    private static ProbeRecord Routed(IPAddress address, TimeProvider time) => new(address, onLink: false, afterArp: false, time.GetTimestamp());

    private static async Task RunAsync(RetryPass pass, ProbeRecord[] sent, FakeTimeProvider time, int retries)
    {
        Task running = pass.RunAsync(sent, Timeout, retries, CancellationToken.None);
        for (int step = 0; step < 100 && !running.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await SettleAsync();
        }

        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits (a hang guard of 10 s) for the pass to get as far as <paramref name="condition"/> says.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, "the pass did not get there within 10 s");
    }

    /// <summary>Lets the pass's continuations run after the fake clock moved (they are posted to the thread pool).</summary>
    private static Task SettleAsync() => Task.Delay(50);
}
