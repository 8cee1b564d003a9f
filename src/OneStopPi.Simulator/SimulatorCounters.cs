namespace OneStopPi.Simulator;

/// <summary>What a fleet has received and answered, summed over its devices.</summary>
public readonly record struct SimulatorStatistics(
    long Received, long Answered, long Malformed, long Oversized, long BadCommunity, long NotARequest,
    long V3Reports, long V3Dropped, long UnknownContext, long SendErrors, long InternalErrors);

/// <summary>Thread-safe counters behind <see cref="SimulatorStatistics"/>.</summary>
public sealed class SimulatorCounters
{
    private long _received, _answered, _malformed, _oversized, _badCommunity, _notARequest, _v3Reports, _v3Dropped, _unknownContext, _sendErrors, _internalErrors;

    public SimulatorStatistics Snapshot() => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _answered), Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _oversized), Interlocked.Read(ref _badCommunity), Interlocked.Read(ref _notARequest),
        Interlocked.Read(ref _v3Reports), Interlocked.Read(ref _v3Dropped), Interlocked.Read(ref _unknownContext),
        Interlocked.Read(ref _sendErrors), Interlocked.Read(ref _internalErrors));

    internal void Received() => Interlocked.Increment(ref _received);

    internal void Answered() => Interlocked.Increment(ref _answered);

    internal void Malformed() => Interlocked.Increment(ref _malformed);

    internal void Oversized() => Interlocked.Increment(ref _oversized);

    internal void BadCommunity() => Interlocked.Increment(ref _badCommunity);

    internal void NotARequest() => Interlocked.Increment(ref _notARequest);

    internal void V3Report() => Interlocked.Increment(ref _v3Reports);

    internal void V3Dropped() => Interlocked.Increment(ref _v3Dropped);

    internal void UnknownContext() => Interlocked.Increment(ref _unknownContext);

    internal void SendError() => Interlocked.Increment(ref _sendErrors);

    internal void InternalError() => Interlocked.Increment(ref _internalErrors);
}
