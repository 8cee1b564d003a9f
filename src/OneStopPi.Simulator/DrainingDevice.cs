namespace OneStopPi.Simulator;

/// <summary>One supply that drains: its Printer-MIB column suffix (hrDeviceIndex.supplyIndex), maximum and start level.</summary>
public sealed record DrainingSupplySpec(string Suffix, int Max, int StartLevel, bool Colour);

/// <summary>A supply running out (its level reaching zero) or being replaced, at a time since the simulation started.</summary>
public readonly record struct SupplyEvent(int Supply, TimeSpan At, bool Swap);

/// <summary>
/// The pages one simulated device prints and the supplies they use up, as pure functions of the time since the
/// simulation started (with the calendar date of that start for the weekday rhythm): weeks are computed in
/// milliseconds, in any order. Time advances in 15-minute steps; each day's volume is the device's weekday or
/// weekend volume times a mean-one log-normal noise, printed evenly over the printing hours. A supply uses
/// pages × coverage noise / pages per cartridge of its level per step; at zero it stays empty until it is swapped
/// for a full one after a random delay. Random draws are hashes (SplitMix64), never a shared generator.
/// </summary>
public sealed class DrainingDevice
{
    private const int StepsPerDay = 96;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    private readonly SupplyDrainOptions _options;
    private readonly ulong _key;
    private readonly DateTimeOffset _start;
    private readonly DrainingSupplySpec[] _supplies;
    private readonly double[] _pagesPerCartridge;
    private readonly Lock _lock = new();
    // State at the start of each simulated day (every 96 steps), extended on demand.
    private readonly List<State> _checkpoints = [];
    private readonly List<SupplyEvent> _events = [];
    private long _simulatedSteps;
    private State _current;

    public DrainingDevice(SupplyDrainOptions options, int index, DateTimeOffset start, IReadOnlyList<DrainingSupplySpec> supplies)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(supplies);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _key = Mix(options.Seed ^ Mix((ulong)index + 0x5151));
        _start = start;
        _supplies = [.. supplies];
        PagesPerWeekday = LogUniform(Draw(1), options.MinPagesPerDay, options.MaxPagesPerDay);
        WeekendShare = Uniform(Draw(2), options.MinWeekendShare, options.MaxWeekendShare);
        ColourShare = Uniform(Draw(3), options.MinColourShare, options.MaxColourShare);
        _pagesPerCartridge = [.. _supplies.Select((_, s) => LogUniform(Draw(100 + (ulong)s), options.MinPagesPerCartridge, options.MaxPagesPerCartridge))];
        _current = new State(0, [.. _supplies.Select(s => Math.Clamp((double)s.StartLevel / s.Max, 0, 1))], [.. _supplies.Select(_ => double.NaN)]);
        if (_current.Remaining.Any(r => r <= 0))
        {
            // A supply recorded empty is swapped like one that ran out here.
            for (int s = 0; s < _supplies.Length; s++)
            {
                if (_current.Remaining[s] <= 0)
                {
                    _current.SwapAtStep[s] = SwapDelaySteps(s, 0);
                }
            }
        }

        _checkpoints.Add(_current.Copy());
    }

    public IReadOnlyList<DrainingSupplySpec> Supplies => _supplies;

    /// <summary>The device's mean pages on a weekday.</summary>
    public double PagesPerWeekday { get; }

    public double WeekendShare { get; }

    public double ColourShare { get; }

    /// <summary>Pages a full cartridge of supply <paramref name="supply"/> lasts (of the pages that use it).</summary>
    public double PagesPerCartridge(int supply) => _pagesPerCartridge[supply];

    /// <summary>Pages printed since the start (fractional: the page counter adds its floor).</summary>
    public double PagesAt(TimeSpan elapsed) => At(elapsed).Pages;

    /// <summary>The remaining share (0 to 1) of supply <paramref name="supply"/>.</summary>
    public double RemainingAt(int supply, TimeSpan elapsed) => At(elapsed).Remaining[supply];

    /// <summary>The level the device reports: the remaining share of its maximum, rounded up (zero only when empty).</summary>
    public int LevelAt(int supply, TimeSpan elapsed) =>
        (int)Math.Min(_supplies[supply].Max, Math.Ceiling((RemainingAt(supply, elapsed) * _supplies[supply].Max) - 1e-9));

    /// <summary>Every run-out and swap from the start until <paramref name="until"/>, in time order.</summary>
    public IReadOnlyList<SupplyEvent> EventsUntil(TimeSpan until)
    {
        lock (_lock)
        {
            SimulateTo(StepOf(until) + 1);
            return [.. _events.Where(e => e.At <= until)];
        }
    }

    private static long StepOf(TimeSpan elapsed) => elapsed <= TimeSpan.Zero ? 0 : elapsed.Ticks / Step.Ticks;

    private State At(TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero)
        {
            return _checkpoints[0];
        }

        long step = StepOf(elapsed);
        double fraction = (double)(elapsed.Ticks - (step * Step.Ticks)) / Step.Ticks;
        lock (_lock)
        {
            SimulateTo(step + 1);
            var state = _checkpoints[(int)(step / StepsPerDay)].Copy();
            for (long k = step / StepsPerDay * StepsPerDay; k < step; k++)
            {
                Advance(state, k, 1, null);
            }

            Advance(state, step, fraction, null);
            return state;
        }
    }

    /// <summary>Runs the state machine forward to <paramref name="steps"/>, keeping a checkpoint per day and the events.</summary>
    private void SimulateTo(long steps)
    {
        while (_simulatedSteps < steps)
        {
            Advance(_current, _simulatedSteps, 1, _events);
            _simulatedSteps++;
            if (_simulatedSteps % StepsPerDay == 0)
            {
                _checkpoints.Add(_current.Copy());
            }
        }
    }

    /// <summary>Applies <paramref name="fraction"/> of step <paramref name="step"/> to <paramref name="state"/>.</summary>
    private void Advance(State state, long step, double fraction, List<SupplyEvent>? events)
    {
        if (fraction <= 0)
        {
            return;
        }

        DateTimeOffset at = _start + (Step * step) + (Step / 2);
        long day = (long)Math.Floor((at - DateTimeOffset.UnixEpoch).TotalDays);
        double pages = PagesInStep(at, day) * fraction;
        state.Pages += pages;
        for (int s = 0; s < _supplies.Length; s++)
        {
            double stepEnd = step + fraction;
            if (!double.IsNaN(state.SwapAtStep[s]))
            {
                if (state.SwapAtStep[s] > stepEnd)
                {
                    continue;
                }

                // Swapped within this step: a full cartridge, which the rest of this step barely touches.
                events?.Add(new SupplyEvent(s, TimeSpan.FromTicks((long)(Math.Max(state.SwapAtStep[s], step) * Step.Ticks)), Swap: true));
                state.Remaining[s] = 1;
                state.SwapAtStep[s] = double.NaN;
                continue;
            }

            double used = pages * (_supplies[s].Colour ? ColourShare : 1) * LogNormal(Draw(1000 + ((ulong)s * 100_003) + (ulong)day, 7), _options.CoverageNoise)
                / _pagesPerCartridge[s];
            if (used < state.Remaining[s])
            {
                state.Remaining[s] -= used;
                continue;
            }

            double emptyAt = step + (fraction * state.Remaining[s] / used);
            state.Remaining[s] = 0;
            state.SwapAtStep[s] = emptyAt + SwapDelaySteps(s, (long)emptyAt);
            events?.Add(new SupplyEvent(s, TimeSpan.FromTicks((long)(emptyAt * Step.Ticks)), Swap: false));
        }
    }

    private double PagesInStep(DateTimeOffset at, long day)
    {
        int minute = (at.Hour * 60) + at.Minute;
        if (minute < _options.FirstPrintingHour * 60 || minute >= _options.EndPrintingHour * 60)
        {
            return 0;
        }

        bool weekend = at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        double daily = PagesPerWeekday * (weekend ? WeekendShare : 1) * LogNormal(Draw(10 + (ulong)day, 5), _options.DailyNoise);
        return daily / ((_options.EndPrintingHour - _options.FirstPrintingHour) * 4);
    }

    private double SwapDelaySteps(int supply, long step) =>
        Uniform(Draw(2000 + ((ulong)supply * 1_000_003) + (ulong)step, 11), _options.MinSwapDelay.Ticks, _options.MaxSwapDelay.Ticks) / Step.Ticks;

    private ulong Draw(ulong what, ulong stream = 0) => Mix(_key ^ Mix(what ^ (stream << 56)));

    private static double Unit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    private static double Uniform(ulong bits, double low, double high) => low + ((high - low) * Unit(bits));

    private static double LogUniform(ulong bits, double low, double high) => Math.Exp(Uniform(bits, Math.Log(low), Math.Log(high)));

    /// <summary>A log-normal factor with mean one (Box–Muller from two hashes).</summary>
    private static double LogNormal(ulong bits, double sigma)
    {
        if (sigma == 0)
        {
            return 1;
        }

        double u1 = Math.Max(Unit(bits), 1e-12);
        double u2 = Unit(Mix(bits));
        double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Exp((sigma * z) - (sigma * sigma / 2));
    }

    /// <summary>SplitMix64's finalizer.</summary>
    private static ulong Mix(ulong z)
    {
        z = unchecked((z + 0x9E3779B97F4A7C15UL) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private sealed class State(double pages, double[] remaining, double[] swapAtStep)
    {
        public double Pages { get; set; } = pages;

        public double[] Remaining { get; } = remaining;

        /// <summary>NaN while the supply has toner; else the step (fractional) at which it is replaced.</summary>
        public double[] SwapAtStep { get; } = swapAtStep;

        public State Copy() => new(Pages, [.. Remaining], [.. SwapAtStep]);
    }
}
