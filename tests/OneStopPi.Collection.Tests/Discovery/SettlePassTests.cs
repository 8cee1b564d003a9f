using System.Net;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>The settle pass: it ends when nothing is pending or time is up, woken by answers rather than a poll.</summary>
public sealed class SettlePassTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Test]
    public async Task It_ends_when_the_last_address_answers_before_its_time_is_up()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire();
        ProbeRecord[] sent = [.. Enumerable.Range(1, 1000).Select(i => Probe(i, time))];
        foreach (ProbeRecord probe in sent.Skip(2))
        {
            wire.AnswerSnmp(probe.Address);
            wire.AnswerEcho(probe.Address);
        }

        Task settling = new SettlePass(wire, time).RunAsync(sent, Timeout, CancellationToken.None);
        int lookupsAtStart = await LookupsSettledAsync(wire);
        time.Advance(TimeSpan.FromMilliseconds(300)); // 15 polls' worth of time for a 20 ms poll
        await Task.Delay(100);
        Assert.That(settling.IsCompleted, Is.False, "two addresses still wait");

        wire.AnswerSnmp(sent[0].Address);
        wire.AnswerEcho(sent[0].Address);
        wire.AnswerSnmp(sent[1].Address);
        wire.AnswerEcho(sent[1].Address);
        await settling.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(time.GetElapsedTime(sent[1].LastSent), Is.LessThan(Timeout), "ended at the answer, not at the timeout");
            Assert.That(lookupsAtStart, Is.InRange(1000, 1010), "one look at each address to find those still waiting");
            Assert.That(wire.Lookups - lookupsAtStart, Is.LessThan(20), "after that, only the two waiting ones, once per answer");
        });
    }

    [Test]
    public async Task With_everything_answered_it_does_not_wait()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire();
        ProbeRecord probe = Probe(1, time);
        wire.AnswerSnmp(probe.Address);
        wire.AnswerEcho(probe.Address);
        await new SettlePass(wire, time).RunAsync([probe], Timeout, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task A_silent_address_ends_it_one_timeout_after_the_last_send_to_what_still_waits()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire();
        ProbeRecord first = Probe(1, time);
        time.Advance(TimeSpan.FromMilliseconds(500));
        ProbeRecord second = Probe(2, time); // sent last: the settle's end is its timeout, until it answers

        Task settling = new SettlePass(wire, time).RunAsync([first, second], Timeout, CancellationToken.None);
        await Task.Delay(100);
        wire.AnswerSnmp(second.Address);
        wire.AnswerEcho(second.Address); // now only the first waits: its time is up at 1 s, not 1.5 s
        await Task.Delay(100);
        time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Delay(100);
        Assert.That(settling.IsCompleted, Is.False, "1 ms before the first one's timeout");

        time.Advance(TimeSpan.FromMilliseconds(1));
        await settling.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Answers_queued_unread_at_the_timeout_are_read_before_it_ends()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire { AnswersQueued = true };
        ProbeRecord probe = Probe(1, time);
        Task settling = new SettlePass(wire, time).RunAsync([probe], Timeout, CancellationToken.None);

        time.Advance(Timeout + TimeSpan.FromMilliseconds(100));
        await Task.Delay(100);
        Assert.That(settling.IsCompleted, Is.False, "an answer may be among those queued");

        wire.AnswersQueued = false;
        time.Advance(TimeSpan.FromMilliseconds(20));
        await settling.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task A_queue_that_never_drains_holds_it_no_longer_than_the_drain_limit()
    {
        var time = new FakeTimeProvider();
        var wire = new FakeLivenessWire { AnswersQueued = true };
        ProbeRecord probe = Probe(1, time);
        Task settling = new SettlePass(wire, time).RunAsync([probe], Timeout, CancellationToken.None);
        for (int step = 0; step < 400 && !settling.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(5);
        }

        await settling.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(time.GetElapsedTime(probe.LastSent), Is.GreaterThanOrEqualTo(Timeout + SettlePass.DrainLimit), "not before the limit (the clock may run a little past it while the pass wakes)");
    }

    private static ProbeRecord Probe(int host, TimeProvider time) =>
        new(IPAddress.Parse($"198.19.{host / 256}.{host % 256}"), onLink: false, afterArp: false, time.GetTimestamp());

    /// <summary>Waits until the pass made its first look at every address and went to sleep, and says how many looks that took.</summary>
    private static async Task<int> LookupsSettledAsync(FakeLivenessWire wire)
    {
        int last = -1;
        for (int i = 0; i < 100 && wire.Lookups != last; i++)
        {
            last = wire.Lookups;
            await Task.Delay(50);
        }

        return wire.Lookups;
    }
}
