namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The waits of these tests are hang guards: a condition is polled until it holds, and the time a test names
/// is what an idle machine needs with a margin. On a busy machine processes start, enrol and answer many times
/// slower (beside the full suite and other builds, load average 60-90 on two cores: an agent took over a
/// minute to enrol), so every such wait is stretched by <see cref="Factor"/>; a passing test is not slowed.
/// Waits that expect nothing to happen (a delay, then an assert) are not hang guards and are not stretched.
/// </summary>
internal static class Patience
{
    public const int Factor = 5;

    public static TimeSpan Stretch(TimeSpan timeout) => timeout * Factor;
}
