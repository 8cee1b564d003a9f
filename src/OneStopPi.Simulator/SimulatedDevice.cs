using System.Net;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Simulator;

/// <summary>
/// A recording as served: the shared <see cref="Recording"/> plus, when counters advance, which of its
/// records move (computed once per recording, not per device).
/// </summary>
internal sealed class ServedRecording
{
    private static readonly ObjectIdentifier SuppliesDescription = ObjectIdentifier.Parse("1.3.6.1.2.1.43.11.1.1.6");
    private static readonly ObjectIdentifier SuppliesMaxCapacity = ObjectIdentifier.Parse("1.3.6.1.2.1.43.11.1.1.8");
    private static readonly ObjectIdentifier SuppliesLevel = ObjectIdentifier.Parse("1.3.6.1.2.1.43.11.1.1.9");

    public ServedRecording(Recording recording, AdvancingCounters? advancing, bool drainSupplies = false)
    {
        Recording = recording;
        if (advancing is null)
        {
            return;
        }

        AdvanceKind[]? kinds = null;
        double[]? weights = null;
        for (int i = 0; i < recording.Count; i++)
        {
            (AdvanceKind kind, double weight) = advancing.Classify(recording.OidAt(i));
            if (kind == AdvanceKind.None)
            {
                continue;
            }

            kinds ??= new AdvanceKind[recording.Count];
            weights ??= new double[recording.Count];
            kinds[i] = kind;
            weights[i] = weight;
        }

        if (drainSupplies)
        {
            var supplies = new List<DrainingSupplySpec>();
            for (int i = 0; i < recording.Count; i++)
            {
                if (DrainingSupply(recording, i) is not { } spec)
                {
                    continue;
                }

                kinds ??= new AdvanceKind[recording.Count];
                weights ??= new double[recording.Count];
                kinds[i] = AdvanceKind.SupplyLevel;
                weights[i] = supplies.Count; // for a level, the weight is its index among the draining supplies
                supplies.Add(spec);
            }

            Supplies = supplies;
        }

        Kinds = kinds;
        Weights = weights;
    }

    /// <summary>The supplies whose level drains (a non-negative level with a positive maximum).</summary>
    public IReadOnlyList<DrainingSupplySpec> Supplies { get; } = [];

    private static DrainingSupplySpec? DrainingSupply(Recording recording, int index)
    {
        ObjectIdentifier oid = recording.OidAt(index);
        if (!oid.IsDescendantOf(SuppliesLevel) || !recording.ValueAt(index).TryGetInt64(out long level) || level < 0)
        {
            return null;
        }

        ReadOnlySpan<uint> suffix = oid.SuffixAfter(SuppliesLevel);
        int maxIndex = recording.IndexOf(SuppliesMaxCapacity.Append(suffix));
        if (maxIndex < 0 || !recording.ValueAt(maxIndex).TryGetInt64(out long max) || max <= 0 || max > int.MaxValue)
        {
            return null;
        }

        int descriptionIndex = recording.IndexOf(SuppliesDescription.Append(suffix));
        string description = descriptionIndex < 0 ? "" : recording.ValueAt(descriptionIndex).AsText();
        bool colour = description.Contains("cyan", StringComparison.OrdinalIgnoreCase) || description.Contains("magenta", StringComparison.OrdinalIgnoreCase)
            || description.Contains("yellow", StringComparison.OrdinalIgnoreCase) || description.Contains("colo", StringComparison.OrdinalIgnoreCase);
        return new DrainingSupplySpec(string.Join('.', suffix.ToArray()), (int)max, (int)Math.Min(level, max), colour);
    }

    public Recording Recording { get; }

    /// <summary>Null when nothing in this recording moves.</summary>
    public AdvanceKind[]? Kinds { get; }

    public double[]? Weights { get; }
}

/// <summary>One simulated printer: an address, the recording it serves and its SNMPv3 engine.</summary>
public sealed class SimulatedDevice
{
    internal SimulatedDevice(int index, IPEndPoint endPoint, ServedRecording served, UsmAuthoritativeEngine engine, DrainingDevice? drain = null)
    {
        Index = index;
        EndPoint = endPoint;
        Served = served;
        Engine = engine;
        Phase = PhaseOf(index);
        Drain = drain;
    }

    /// <summary>The pages and supply levels of this device when supplies drain (<see cref="SimulatorOptions.SupplyDrain"/>).</summary>
    public DrainingDevice? Drain { get; }

    /// <summary>0-based position in the fleet.</summary>
    public int Index { get; }

    public IPEndPoint EndPoint { get; }

    public Recording Recording => Served.Recording;

    /// <summary>snmpEngineID (RFC 3411 5): enterprise 0, format 5 (octets) "OSPsim", the IPv4 address and port.</summary>
    public ReadOnlyMemory<byte> EngineId => Engine.EngineId;

    /// <summary>Where in a page-counter tick this device starts, in [0, 1): devices do not tick in lockstep.</summary>
    public double Phase { get; }

    internal ServedRecording Served { get; }

    internal UsmAuthoritativeEngine Engine { get; }

    /// <summary>The engine ID of the device at <paramref name="endPoint"/>.</summary>
    public static byte[] EngineIdFor(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        byte[] id = new byte[5 + 6 + 4 + 2];
        id[0] = 0x80; // RFC 3411 5: the first bit set means "enterprise number, then a format octet"
        id[4] = 5;    // format 5: administratively assigned octets
        "OSPsim"u8.CopyTo(id.AsSpan(5));
        endPoint.Address.MapToIPv4().TryWriteBytes(id.AsSpan(11, 4), out _);
        id[15] = (byte)(endPoint.Port >> 8);
        id[16] = (byte)endPoint.Port;
        return id;
    }

    /// <summary>A fixed pseudo-random fraction per index (SplitMix64), so runs are reproducible.</summary>
    internal static double PhaseOf(int index)
    {
        ulong z = unchecked(((ulong)index + 1) * 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    public override string ToString() => $"{EndPoint} {Recording.Name}";
}
