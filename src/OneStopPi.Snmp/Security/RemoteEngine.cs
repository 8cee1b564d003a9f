namespace OneStopPi.Snmp.Security;

/// <summary>
/// What this (non-authoritative) side knows of an agent's engine: its ID and its clock, kept as
/// boots + time at a monotonic timestamp so a jump of the wall clock cannot disturb it
/// (RFC 3414 2.3: snmpEngineTime advances one per second).
/// </summary>
internal sealed class RemoteEngine
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private uint _boots;
    private uint _timeAtSync;
    private long _syncTimestamp;

    public RemoteEngine(byte[] engineId, uint boots, uint engineTime, TimeProvider time)
    {
        EngineId = engineId;
        _time = time;
        Synchronise(boots, engineTime);
    }

    public byte[] EngineId { get; }

    /// <summary>The engine's boots and its current time, estimated from the last sync.</summary>
    public (uint Boots, uint Time) Now()
    {
        lock (_gate)
        {
            double elapsed = _time.GetElapsedTime(_syncTimestamp).TotalSeconds;
            return (_boots, (uint)Math.Min(int.MaxValue, _timeAtSync + elapsed));
        }
    }

    public void Synchronise(uint boots, uint engineTime)
    {
        lock (_gate)
        {
            _boots = boots;
            _timeAtSync = engineTime;
            _syncTimestamp = _time.GetTimestamp();
        }
    }

    /// <summary>
    /// RFC 3414 3.2 step 7b: an authentic message from the authoritative engine moves our notion
    /// of its clock forward (never back).
    /// </summary>
    public void ObserveAuthentic(uint boots, uint engineTime)
    {
        (uint currentBoots, uint currentTime) = Now();
        if (boots > currentBoots || (boots == currentBoots && engineTime > currentTime))
        {
            Synchronise(boots, engineTime);
        }
    }
}
