using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Portal.Alerts;

namespace OneStopPi.Portal.Tests.Alerts;

/// <summary>
/// The alert loop's schedule on a fake clock, with a recording round in place of the database: every site at start and
/// once a period; between those only the sites poked, folded into one round, at most one round per minimum gap; a site
/// poked while a round runs is in the next one, and what a failed round took is owed again.
/// </summary>
public sealed class AlertServiceTests
{
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    private FakeTimeProvider _time = null!;
    private AlertSignal _signal = null!;
    private RecordingRound _round = null!;
    private AlertService _service = null!;
    private DateTimeOffset _start;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 22, 0, 0, TimeSpan.Zero));
        _start = _time.GetUtcNow();
        _signal = new AlertSignal();
        _round = new RecordingRound(_time);
        var options = Options.Create(new AlertOptions { EvaluateSeconds = (int)Period.TotalSeconds, EvaluateMinSeconds = (int)Gap.TotalSeconds });
        _service = new AlertService(_round, _signal, _time, options, NullLogger<AlertService>.Instance);
        await _service.StartAsync(CancellationToken.None);
        await UntilAsync(() => _round.Calls.Count == 1, "the round at start");
        await UntilParkedAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        _round.Release();
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
    }

    [Test]
    public async Task Starts_with_every_site_then_pokes_fold_into_one_round_of_the_sites_poked()
    {
        Assert.That(_round.Calls[0].Sites, Is.Null, "every site at start");

        foreach (var site in new[] { 3, 1, 3, 2, 1 })
        {
            _signal.Poke(site);
        }

        await AdvanceUntilAsync(() => _round.Calls.Count == 2, Gap + TimeSpan.FromSeconds(2));
        Assert.That(_round.Calls[1].Sites, Is.EquivalentTo(new[] { 1, 2, 3 }), "five pokes, three sites, one round");

        // Nothing poked: no round until the period ends, then every site.
        await AdvanceUntilAsync(() => _round.Calls.Count == 3, Period);
        Assert.That(_round.Calls[2].Sites, Is.Null);
        Assert.That(_round.Calls[2].At - _start, Is.GreaterThanOrEqualTo(Period), "no round between the pokes' and the period's");
    }

    [Test]
    public async Task Rounds_are_at_least_the_minimum_gap_apart_however_often_poked()
    {
        for (var i = 0; i < 4; i++)
        {
            _signal.Poke(10 + i);
            var before = _round.Calls.Count;
            await AdvanceUntilAsync(() => _round.Calls.Count == before + 1, Gap + TimeSpan.FromSeconds(2));
            _signal.Poke(20 + i); // at once after the round: waits for the gap too
        }

        var times = _round.Calls.Select(c => c.At).ToList();
        for (var i = 1; i < times.Count; i++)
        {
            Assert.That(times[i] - times[i - 1], Is.GreaterThanOrEqualTo(Gap), $"round {i} came {(times[i] - times[i - 1]).TotalSeconds} s after the one before");
        }

        Assert.That(_round.Calls[1].Sites, Is.EquivalentTo(new[] { 10 }));
        Assert.That(_round.Calls[2].Sites, Is.EquivalentTo(new[] { 20, 11 }), "the poke right after a round waits for the next, with what came meanwhile");
    }

    [Test]
    public async Task A_site_poked_while_a_round_runs_is_in_the_next_round()
    {
        _round.HoldNext();
        _signal.Poke(1);
        await AdvanceUntilAsync(() => _round.Running, Gap + TimeSpan.FromSeconds(2));
        Assert.That(_round.Calls[^1].Sites, Is.EquivalentTo(new[] { 1 }));

        _signal.Poke(1); // new data for the site being read: this round may have missed it
        _signal.Poke(2);
        _round.Release();

        await AdvanceUntilAsync(() => _round.Calls.Count == 3, Gap + TimeSpan.FromSeconds(2));
        Assert.That(_round.Calls[2].Sites, Is.EquivalentTo(new[] { 1, 2 }));

        await AdvanceUntilAsync(() => _round.Calls.Count == 4, TimeSpan.FromSeconds(20));
        Assert.That(_round.Calls, Has.Count.EqualTo(3), "nothing owed: no fourth round before the period");
    }

    [Test]
    public async Task What_a_failed_round_took_is_owed_again()
    {
        _round.FailNext();
        _signal.Poke(4);
        await AdvanceUntilAsync(() => _round.Calls.Count == 2, Gap + TimeSpan.FromSeconds(2));
        Assert.That(_round.Calls[1].Sites, Is.EquivalentTo(new[] { 4 }));

        _signal.Poke(5);
        await AdvanceUntilAsync(() => _round.Calls.Count == 3, Gap + TimeSpan.FromSeconds(2));
        Assert.That(_round.Calls[2].Sites, Is.EquivalentTo(new[] { 4, 5 }), "site 4's failed round is owed again");
    }

    [Test]
    public async Task The_dealer_wide_rules_changing_is_a_round_of_every_site()
    {
        _signal.Poke(8);
        _signal.Poke();
        await AdvanceUntilAsync(() => _round.Calls.Count == 2, Gap + TimeSpan.FromSeconds(2));
        Assert.That(_round.Calls[1].Sites, Is.Null);
        Assert.That(_signal.Take().Any, Is.False, "site 8 went with every site, not owed apart");
    }

    /// <summary>Moves the fake clock in small steps, giving the loop real time to act on each, until the condition or the limit.</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        for (var moved = TimeSpan.Zero; moved < limit && !condition(); moved += Step)
        {
            await UntilParkedAsync();
            _time.Advance(Step);
            await Task.Delay(5);
        }

        await UntilParkedAsync();
    }

    /// <summary>Until the loop waits on a timer (or a round is held): advancing the clock before would not reach it.</summary>
    private async Task UntilParkedAsync()
    {
        for (var i = 0; i < 200 && !_round.Running && !Parked(); i++)
        {
            await Task.Delay(5);
        }

        await Task.Delay(5);
    }

    // FakeTimeProvider keeps its timers private; a loop waiting on one has finished its cycle and has no round running.
    private bool Parked() => _signal.Cycles >= _round.Calls.Count && !_round.Running;

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, what);
    }

    private sealed record Call(IReadOnlySet<int>? Sites, DateTimeOffset At);

    /// <summary>Records each round's sites and fake time; can hold a round until released, or fail one.</summary>
    private sealed class RecordingRound(TimeProvider time) : IAlertRound
    {
        private readonly Lock _gate = new();
        private readonly List<Call> _calls = [];
        private TaskCompletionSource? _hold;
        private bool _holdNext;
        private bool _failNext;
        private volatile bool _running;

        public IReadOnlyList<Call> Calls
        {
            get
            {
                lock (_gate)
                {
                    return [.. _calls];
                }
            }
        }

        public bool Running => _running;

        public void HoldNext() => _holdNext = true;

        public void FailNext() => _failNext = true;

        public void Release() => _hold?.TrySetResult();

        public async Task<DateTime?> RunAsync(IReadOnlySet<int>? sites, CancellationToken cancellationToken)
        {
            _running = true;
            try
            {
                lock (_gate)
                {
                    _calls.Add(new Call(sites is null ? null : new HashSet<int>(sites), time.GetUtcNow()));
                }

                if (_holdNext)
                {
                    (_holdNext, _hold) = (false, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    await _hold.Task.WaitAsync(cancellationToken);
                }

                if (_failNext)
                {
                    _failNext = false;
                    throw new InvalidOperationException("the database is away");
                }

                return null;
            }
            finally
            {
                _running = false;
            }
        }
    }
}
