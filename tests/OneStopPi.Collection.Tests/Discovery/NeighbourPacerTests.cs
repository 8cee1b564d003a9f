using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class NeighbourPacerTests
{
    private static readonly TimeSpan Resolve = TimeSpan.FromSeconds(3);

    [Test]
    public void Budget_is_capacity_less_margin_less_what_others_hold()
    {
        var table = new FakeTable { Stats = new NeighbourStats(300, 0, 0), Unresolved = 100 };
        var pacer = new NeighbourPacer(table, 10_000, Resolve, new FakeTimeProvider(), NullLogger.Instance);
        // 300 entries machine-wide, 100 of them our own FAILED leftovers (reclaimable): others hold 200.
        Assert.That(pacer.Budget, Is.EqualTo(1024 - NeighbourPacer.Margin - 200));
    }

    [Test]
    public void Budget_is_capped_by_what_the_sockets_can_queue()
    {
        var pacer = new NeighbourPacer(new FakeTable { Stats = new NeighbourStats(5, 0, 0) }, 260, Resolve, new FakeTimeProvider(), NullLogger.Instance);
        Assert.That(pacer.Budget, Is.EqualTo(260));
    }

    [Test]
    public void A_full_table_still_moves_slowly()
    {
        var pacer = new NeighbourPacer(new FakeTable { Stats = new NeighbourStats(5000, 0, 0) }, 10_000, Resolve, new FakeTimeProvider(), NullLogger.Instance);
        Assert.That(pacer.Budget, Is.EqualTo(NeighbourPacer.MinimumBudget));
    }

    [Test]
    public async Task Admission_waits_for_the_oldest_entry_to_become_reclaimable()
    {
        var time = new FakeTimeProvider();
        var pacer = new NeighbourPacer(new FakeTable { Stats = new NeighbourStats(1024 - 64 - 16, 0, 0) }, 10_000, Resolve, time, NullLogger.Instance);
        Assert.That(pacer.Budget, Is.EqualTo(16));
        for (int i = 1; i <= 16; i++)
        {
            await pacer.AdmitAsync(IPAddress.Parse($"10.0.0.{i}"), CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Task next = pacer.AdmitAsync(IPAddress.Parse("10.0.0.17"), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(next.IsCompleted, Is.False, "sixteen held, budget sixteen");
        time.Advance(TimeSpan.FromSeconds(1)); // the first is 3.6 s old now: FAILED, reclaimable
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(pacer.Held, Is.EqualTo(16 - 4 + 1), "admitted at 0, 0.1, 0.2 and 0.3 s have expired at 3.6 s; the new one is held");
    }

    [Test]
    public async Task A_live_host_holds_its_entry_longer()
    {
        var time = new FakeTimeProvider();
        var pacer = new NeighbourPacer(new FakeTable { Stats = new NeighbourStats(1024 - 64 - 1, 0, 0) }, 10_000, Resolve, time, NullLogger.Instance);
        await pacer.AdmitAsync(IPAddress.Parse("10.0.0.1"), CancellationToken.None);
        pacer.MarkLive(IPAddress.Parse("10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.That(pacer.Held, Is.EqualTo(1), "valid entries are not reclaimable for 5 s");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(pacer.Held, Is.Zero);
    }

    [Test]
    public async Task An_overflow_seen_halves_the_budget()
    {
        var time = new FakeTimeProvider();
        var table = new FakeTable { Stats = new NeighbourStats(100, 7, 0) };
        var pacer = new NeighbourPacer(table, 10_000, Resolve, time, NullLogger.Instance);
        int before = pacer.Budget;
        table.Stats = new NeighbourStats(1024, 9, 0);
        time.Advance(TimeSpan.FromSeconds(1));
        await pacer.AdmitAsync(IPAddress.Parse("10.0.0.1"), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(pacer.Budget, Is.EqualTo(before / 2));
            Assert.That(pacer.TableFulls, Is.EqualTo(2));
            Assert.That(pacer.PeakEntries, Is.EqualTo(1024));
        });
    }

    private sealed class FakeTable : INeighbourTable
    {
        public NeighbourStats? Stats { get; set; }

        public int Unresolved { get; init; }

        public int Capacity => 1024;

        public NeighbourStats? ReadStats() => Stats;

        public IReadOnlyList<NeighbourEntry> ReadEntries() =>
            [.. Enumerable.Range(1, Unresolved).Select(i => new NeighbourEntry(IPAddress.Parse($"10.9.{i / 256}.{i % 256}"), null, false, "lan0"))];

        public TimeSpan ResolveTime(string? device) => Resolve;
    }
}
