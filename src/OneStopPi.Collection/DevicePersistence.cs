namespace OneStopPi.Collection;

/// <summary>
/// How hard <see cref="DeviceCollector"/> tries with a device that is there. A device that has answered is
/// alive: its silences are datagrams lost on a flaky Wi-Fi bridge or a congested switch, not absence, so a
/// request to it is retransmitted (same request-id) until it is answered or the retries run out, and the
/// reading is then marked incomplete rather than short of counters.
/// </summary>
public sealed record DevicePersistence
{
    /// <summary>
    /// Retransmissions of one request to a device known to be alive. At 20 % loss each way an attempt fails
    /// 36 % of the time; 10 resends leave about 1 request in 80,000 unanswered.
    /// </summary>
    public int AliveRetries { get; init; } = 10;

    /// <summary>Floor of the learnt retransmission timeout: below it, a busy agent's queueing would cause needless resends.</summary>
    public TimeSpan MinTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// First timeout before any round trip is measured (the target's timeout caps it). Short costs little: a
    /// retransmission keeps the request-id, so a slow device's answer to the first copy still completes the request.
    /// </summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest one visit may take; a visit cut short is marked incomplete.</summary>
    public TimeSpan MaxVisit { get; init; } = TimeSpan.FromSeconds(90);

    public static DevicePersistence Default { get; } = new();
}
