using Microsoft.Extensions.Time.Testing;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Tests.Alerts;

/// <summary>
/// Each rule kind through the evaluator on a fake clock: raised once, held, resolved once, and a condition that
/// comes and goes (flapping) told at most once. The changes are applied to an in-memory list the way AlertCycle
/// applies them to the database.
/// </summary>
public sealed class AlertEvaluatorTests
{
    private const int Site = 1;
    private static readonly DateTime Start = new(2026, 12, 7, 9, 0, 0, DateTimeKind.Utc);

    private FakeTimeProvider _time = null!;
    private AlertEvaluator _evaluator = null!;
    private List<OpenAlert> _open = null!;
    private List<string> _told = null!;
    private long _nextId;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _evaluator = new AlertEvaluator(_time);
        _open = [];
        _told = [];
        _nextId = 1;
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    [Test]
    public void Supply_low_is_raised_once_held_within_its_hysteresis_and_resolved_once()
    {
        var rules = Rules(new AlertSettings { SupplyBelowPercent = 10 });
        Run(rules, Printer(percent: 50));
        Assert.That(_told, Is.Empty);

        Run(rules, Printer(percent: 8));
        Run(rules, Printer(percent: 7));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:supply:0:low" }));

        // 9, 12, 9: flapping around the threshold stays one alert (it clears above 10 + 5).
        Run(rules, Printer(percent: 12));
        Run(rules, Printer(percent: 9));
        Assert.That(_told, Has.Count.EqualTo(1));

        Run(rules, Printer(percent: 95)); // a new cartridge
        Run(rules, Printer(percent: 95));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:supply:0:low", "resolved device:7:supply:0:low" }));
        Assert.That(_open, Is.Empty);
    }

    [Test]
    public void Supply_run_out_follows_the_forecasts_days_left()
    {
        var rules = Rules(new AlertSettings { SupplyRunOutDays = 5 });
        Run(rules, Printer(percent: 30, daysLeft: null)); // no date forecast: nothing to say
        Run(rules, Printer(percent: 30, daysLeft: 12));
        Assert.That(_told, Is.Empty);

        Run(rules, Printer(percent: 20, daysLeft: 4.5));
        Run(rules, Printer(percent: 19, daysLeft: 6.5)); // within 5 + 2: held
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:supply:0:runout" }));

        Run(rules, Printer(percent: 90, daysLeft: 80));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:supply:0:runout", "resolved device:7:supply:0:runout" }));
    }

    [Test]
    public void An_error_state_is_told_only_after_it_lasted_its_minutes_then_resolved_once()
    {
        var rules = Rules(new AlertSettings { ErrorStateMinutes = 10 });
        Run(rules, Printer(errors: ["jammed", "lowPaper"], readAt: Now));
        Assert.That(_told, Is.Empty, "seen, but not yet 10 minutes");
        Assert.That(_open.Single().State, Is.EqualTo(AlertState.Pending), "lowPaper is not in the default list");

        _time.Advance(TimeSpan.FromMinutes(6));
        Run(rules, Printer(errors: ["jammed"], readAt: Now));
        Assert.That(_told, Is.Empty);

        _time.Advance(TimeSpan.FromMinutes(5));
        Run(rules, Printer(errors: ["jammed"], readAt: Now));
        Run(rules, Printer(errors: ["jammed"], readAt: Now));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:error:jammed" }));

        _time.Advance(TimeSpan.FromMinutes(15));
        Run(rules, Printer(errors: [], readAt: Now));
        Run(rules, Printer(errors: [], readAt: Now));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:error:jammed", "resolved device:7:error:jammed" }));
    }

    [Test]
    public void An_error_state_that_comes_and_goes_within_its_minutes_is_never_told()
    {
        var rules = Rules(new AlertSettings { ErrorStateMinutes = 10 });
        for (int i = 0; i < 6; i++)
        {
            Run(rules, Printer(errors: ["doorOpen"], readAt: Now));
            _time.Advance(TimeSpan.FromMinutes(4));
            Run(rules, Printer(errors: [], readAt: Now));
            _time.Advance(TimeSpan.FromMinutes(4));
        }

        Assert.That(_told, Is.Empty);
        Assert.That(_open, Is.Empty, "each pending alert was dropped when its door closed");
    }

    [Test]
    public void An_error_state_already_old_when_first_seen_is_raised_at_once()
    {
        var rules = Rules(new AlertSettings { ErrorStateMinutes = 10 });
        Run(rules, Printer(errors: ["serviceRequested"], readAt: Now.AddMinutes(-30)));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:error:serviceRequested" }));
    }

    [Test]
    public void A_device_not_seen_for_its_hours_of_scans_is_raised_and_resolved_when_it_answers()
    {
        var rules = Rules(new AlertSettings { DeviceSilentHours = 4 });
        Run(rules, Printer(lastSeen: Now.AddHours(-3)), scannedAt: Now);
        Assert.That(_told, Is.Empty);

        // The box stopped scanning: the device is not "silent" (the agent's own rule says that), however late it is.
        _time.Advance(TimeSpan.FromHours(20));
        Run(rules, Printer(lastSeen: Start.AddHours(-3)), scannedAt: Start);
        Assert.That(_told, Is.Empty);

        Run(rules, Printer(lastSeen: Start.AddHours(-3)), scannedAt: Now);
        Run(rules, Printer(lastSeen: Start.AddHours(-3)), scannedAt: Now);
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:silent" }));

        Run(rules, Printer(lastSeen: Now), scannedAt: Now);
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:silent", "resolved device:7:silent" }));
    }

    [Test]
    public void A_silent_agent_is_raised_once_and_resolved_when_it_calls_again()
    {
        var rules = Rules(new AlertSettings { AgentSilentMinutes = 30 });
        var agent = Guid.Parse("6f1c1a57-0000-4000-8000-000000000001");
        Run(rules, agents: [new AgentState(agent, Site, "pi-a", Now.AddMinutes(-20))]);
        _time.Advance(TimeSpan.FromMinutes(15));
        Run(rules, agents: [new AgentState(agent, Site, "pi-a", Start.AddMinutes(-20))]);
        Run(rules, agents: [new AgentState(agent, Site, "pi-a", Start.AddMinutes(-20))]);
        Assert.That(_told, Is.EqualTo(new[] { $"raised agent:{agent}:silent" }));

        Run(rules, agents: [new AgentState(agent, Site, "pi-a", Now)]);
        Assert.That(_told, Is.EqualTo(new[] { $"raised agent:{agent}:silent", $"resolved agent:{agent}:silent" }));
    }

    [Test]
    public void A_counter_that_went_back_is_raised_and_resolved_when_it_counts_up_again()
    {
        var off = Rules(new AlertSettings());
        var step = new CounterStep("total", 120_000, 35, Now);
        Run(off, Printer(backwards: [step]));
        Assert.That(_told, Is.Empty, "the rule is off unless set");

        var rules = Rules(new AlertSettings { CounterBackwards = true });
        Run(rules, Printer(backwards: [step]));
        Run(rules, Printer(backwards: [step]));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:counter:total" }));

        Run(rules, Printer(backwards: []));
        Assert.That(_told, Is.EqualTo(new[] { "raised device:7:counter:total", "resolved device:7:counter:total" }));
    }

    [Test]
    public void A_site_inherits_the_defaults_and_a_zero_turns_a_rule_off_there()
    {
        var defaults = new AlertSettings { SupplyBelowPercent = 10, ErrorStateMinutes = 5 };
        var merged = EffectiveRules.Merge(defaults, new AlertSettings { SiteId = Site, SupplyBelowPercent = 0, ErrorStates = "lowPaper" });
        Assert.Multiple(() =>
        {
            Assert.That(merged.SupplyBelowPercent, Is.Null);
            Assert.That(merged.ErrorStateMinutes, Is.EqualTo(5));
            Assert.That(merged.ErrorStates, Is.EquivalentTo(new[] { "lowPaper" }));
            Assert.That(EffectiveRules.Merge(defaults, null).ErrorStates, Does.Contain("jammed"));
        });

        Run(new Dictionary<int, EffectiveRules> { [Site] = merged }, Printer(percent: 2));
        Assert.That(_told, Is.Empty);
    }

    private static Dictionary<int, EffectiveRules> Rules(AlertSettings site) =>
        new() { [Site] = EffectiveRules.Merge(null, site) };

    private DeviceState Printer(int percent = 50, double? daysLeft = null, string[]? errors = null, DateTime? readAt = null,
        DateTime? lastSeen = null, CounterStep[]? backwards = null) =>
        new(7, Site, "Kyocera TASKalfa KY1 (10.0.0.7)", lastSeen ?? Now, readAt ?? Now, errors ?? [],
            [new SupplyState(0, "black toner", percent, daysLeft, daysLeft is { } d ? Now.AddDays(d) : null)], backwards ?? []);

    /// <summary>One evaluation, applied like AlertCycle does: raised and resolved events are recorded in order.</summary>
    private void Run(Dictionary<int, EffectiveRules> rules, DeviceState? device = null, AgentState[]? agents = null, DateTime? scannedAt = null)
    {
        var fleet = new FleetSnapshot(device is null ? [] : [device], agents ?? [], rules, new Dictionary<int, DateTime> { [Site] = scannedAt ?? Now });
        foreach (var change in _evaluator.Evaluate(fleet, _open))
        {
            switch (change)
            {
                case AlertChange.Open(var c, var raise):
                    _open.Add(new OpenAlert(_nextId++, c.Key, raise ? AlertState.Raised : AlertState.Pending, c.Since));
                    if (raise)
                    {
                        _told.Add($"raised {c.Key}");
                    }

                    break;
                case AlertChange.Raise(var id, var c):
                    var i = _open.FindIndex(a => a.Id == id);
                    _open[i] = _open[i] with { State = AlertState.Raised };
                    _told.Add($"raised {c.Key}");
                    break;
                case AlertChange.Resolve(var id):
                    _told.Add($"resolved {_open.Single(a => a.Id == id).Key}");
                    _open.RemoveAll(a => a.Id == id);
                    break;
                case AlertChange.Drop(var id):
                    _open.RemoveAll(a => a.Id == id);
                    break;
            }
        }
    }
}
