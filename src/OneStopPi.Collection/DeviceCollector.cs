using System.Diagnostics;
using System.Net.Sockets;
using OneStopPi.Collection.Mib;
using OneStopPi.Collection.Profiles;
using OneStopPi.Collection.Readings;
using OneStopPi.Collection.Requests;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection;

/// <summary>
/// Reads one printer over one <see cref="SnmpClient"/>: a multi-varbind GET for the scalars, one GET
/// for the vendor OIDs its profile names, and GETBULKs that walk every table column at once. About
/// four requests in the common case, never more than a dozen for a well-behaved device. Every
/// per-device failure ends up in <see cref="DeviceReading.Error"/> next to what could be read: a reading
/// is whole, or says why it is not. Once the device has answered, lost datagrams are retransmitted
/// (<see cref="DevicePersistence"/>), so loss on the way costs time, not counters.
/// </summary>
public sealed class DeviceCollector : IDeviceCollector
{
    private readonly SnmpClient _client;
    private readonly ProfileCatalog _profiles;
    private readonly DevicePersistence _persistence;

    /// <summary>The round trips of every device read: a device's first timeout until its own is measured.</summary>
    private readonly RoundTripEstimator _network;

    public DeviceCollector(SnmpClient client, ProfileCatalog? profiles = null, DevicePersistence? persistence = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _profiles = profiles ?? ProfileCatalog.Embedded;
        _persistence = persistence ?? DevicePersistence.Default;
        _network = new RoundTripEstimator(_persistence.MinTimeout, initial: _persistence.InitialTimeout);
    }

    /// <summary>Reads a device not known to be there: the first request gets the target's own retries.</summary>
    public Task<DeviceReading> ReadAsync(SnmpTarget target, CancellationToken cancellationToken = default) =>
        ReadAsync(target, knownAlive: false, cancellationToken);

    /// <summary>
    /// Reads one device. <paramref name="knownAlive"/>: it answered before with these credentials (a registered
    /// printer, or one the sweep just found), so even the first request is retried as for a live device.
    /// </summary>
    public async Task<DeviceReading> ReadAsync(SnmpTarget target, bool knownAlive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        long started = Stopwatch.GetTimestamp();
        var snmp = new CountedSnmp(_client, target, _persistence, knownAlive, _network);
        var read = new DeviceAnswers(target.EndPoint.Address);
        using var visit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        visit.CancelAfter(_persistence.MaxVisit);
        try
        {
            await ReadAnswersAsync(snmp, read, visit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (visit.IsCancellationRequested)
        {
            read.Problems.Add($"incomplete: the visit took longer than {_persistence.MaxVisit.TotalSeconds:F0} s");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            read.Problems.Add(read.Answered && e is SnmpTimeoutException ? $"stopped answering (reading incomplete): {e.Message}" : Describe(e));
        }

        return ReadingBuilder.Build(target, read, snmp.Requests, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task ReadAnswersAsync(CountedSnmp snmp, DeviceAnswers read, CancellationToken cancellationToken)
    {
        // 1. Scalars, assuming the printer is hrDevice 1 (true of nearly every printer).
        List<ObjectIdentifier> scalars = [.. StandardScalars(1)];
        if (snmp.Target.EndPoint.Address.AddressFamily == AddressFamily.InterNetwork)
        {
            scalars.Add(StandardOids.IpAdEntIfIndexOf(snmp.Target.EndPoint.Address));
        }

        if (!await GetIntoAsync(snmp, scalars, read, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        read.Profile = _profiles.Match(read.SysObjectId, read.Text(StandardOids.SysDescr));

        // 2. No profile from sysObjectID/sysDescr: ask the profiles' probe OIDs once.
        if (read.Profile is null)
        {
            List<ObjectIdentifier> probes = ProbeOids();
            if (probes.Count > 0 && await GetIntoAsync(snmp, probes, read, cancellationToken).ConfigureAwait(false))
            {
                read.Profile = _profiles.Compiled.FirstOrDefault(p => p.Probe.Any(s => read.Resolve(s) is not null));
            }
        }

        // 3. The printer is not hrDevice 1: find it through hrPrinterTable and read its row.
        if (!read.Has(HrPrinter(StandardOids.HrPrinterStatus, 1)) && !read.Has(HrPrinter(StandardOids.HrPrinterDetectedErrorState, 1))
            && !read.IsPrinterDevice(1))
        {
            IReadOnlyList<Varbind> next = await snmp.GetNextAsync([StandardOids.HrPrinterStatus], cancellationToken).ConfigureAwait(false);
            if (next.Count == 1 && !next[0].Value.IsException && next[0].Oid.IsDescendantOf(StandardOids.HrPrinterStatus)
                && next[0].Oid.Length == StandardOids.HrPrinterStatus.Length + 1)
            {
                uint index = next[0].Oid[^1];
                if (index != 1)
                {
                    read.PrinterIndex = index;
                    if (!await GetIntoAsync(snmp, [.. StandardScalars(index).Skip(4)], read, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
        }

        // 4. The vendor OIDs the profile names.
        if (read.Profile is { } profile)
        {
            var vendor = new List<ObjectIdentifier>();
            foreach (IReadOnlyList<ObjectIdentifier> oids in (IReadOnlyList<ObjectIdentifier>[])[profile.ScalarOids, profile.EntityOids])
            {
                foreach (ObjectIdentifier oid in oids)
                {
                    if (!read.Values.ContainsKey(oid))
                    {
                        vendor.Add(oid);
                    }
                }
            }

            if (vendor.Count > 0 && !await GetIntoAsync(snmp, vendor, read, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        // 5. Every table column in one walk.
        ObjectIdentifier[] columns = [.. StandardColumns, .. read.Profile?.TableColumns ?? []];
        var walker = new ColumnWalker(snmp);
        try
        {
            read.Tables = await walker.WalkAsync(columns, cancellationToken).ConfigureAwait(false);
            read.Problems.AddRange(read.Tables.Problems);
        }
        catch (SnmpErrorStatusException e)
        {
            read.Problems.Add($"table read: {e.Message}");
        }
    }

    /// <summary>GET into <paramref name="read"/>; false (with the reason recorded) when the device stopped answering.</summary>
    private static async Task<bool> GetIntoAsync(CountedSnmp snmp, IReadOnlyList<ObjectIdentifier> oids, DeviceAnswers read, CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<Varbind> answer = await snmp.GetAsync(oids, cancellationToken).ConfigureAwait(false);
            foreach (Varbind varbind in answer)
            {
                read.Values[varbind.Oid] = varbind.Value;
            }

            read.Answered = true;
            return true;
        }
        catch (SnmpErrorStatusException e)
        {
            read.Answered = true;
            read.Problems.Add(e.Message);
            return true;
        }
        catch (SnmpTimeoutException e)
        {
            read.Problems.Add(read.Answered ? $"stopped answering (reading incomplete): {e.Message}" : $"no answer: {e.Message}");
            return false;
        }
    }

    private static ObjectIdentifier HrPrinter(ObjectIdentifier column, uint index) => column.Append(index);

    /// <summary>Every profile's probe OIDs, each once in first-named order, then ENTITY-MIB's first entry.</summary>
    private List<ObjectIdentifier> ProbeOids()
    {
        // A loop rather than LINQ: LINQ over a value type such as ObjectIdentifier is compiled once per element type and
        // operator in the AOT image (docs/benchmarks.md, "Fifth pass").
        var distinct = new OidList();
        foreach (CompiledProfile profile in _profiles.Compiled)
        {
            foreach (CompiledSource source in profile.Probe)
            {
                if (source.Oid is { } oid)
                {
                    distinct.Add(oid);
                }
            }
        }

        return [.. distinct.Items, .. EntityScalars];
    }

    private static IEnumerable<ObjectIdentifier> StandardScalars(uint index)
    {
        yield return StandardOids.SysDescr;
        yield return StandardOids.SysObjectId;
        yield return StandardOids.SysUpTime;
        yield return StandardOids.SysName;
        yield return StandardOids.HrDeviceType.Append(index);
        yield return StandardOids.HrDeviceDescr.Append(index);
        yield return StandardOids.HrDeviceStatus.Append(index);
        yield return StandardOids.HrPrinterStatus.Append(index);
        yield return StandardOids.HrPrinterDetectedErrorState.Append(index);
        yield return StandardOids.PrtGeneralSerialNumber.Append(index);
        yield return StandardOids.PrtLocalizationCharacterSet.Append(index, 1);
    }

    /// <summary>
    /// ENTITY-MIB's first entry: printers rarely fill it, so it is asked for only when no profile
    /// matched (with the probes) or the matched profile names it as a source.
    /// </summary>
    private static readonly ObjectIdentifier[] EntityScalars =
    [
        StandardOids.EntPhysicalModelName1, StandardOids.EntPhysicalSerialNum1, StandardOids.EntPhysicalFirmwareRev1, StandardOids.EntPhysicalSoftwareRev1,
    ];

    private static readonly ObjectIdentifier[] StandardColumns =
    [
        StandardOids.PrtMarkerSuppliesColorantIndex,
        StandardOids.PrtMarkerSuppliesClass,
        StandardOids.PrtMarkerSuppliesType,
        StandardOids.PrtMarkerSuppliesDescription,
        StandardOids.PrtMarkerSuppliesSupplyUnit,
        StandardOids.PrtMarkerSuppliesMaxCapacity,
        StandardOids.PrtMarkerSuppliesLevel,
        StandardOids.PrtMarkerColorantValue,
        StandardOids.PrtMarkerCounterUnit,
        StandardOids.PrtMarkerLifeCount,
        StandardOids.PrtMarkerPowerOnCount,
        StandardOids.PrtAlertSeverityLevel,
        StandardOids.PrtAlertGroup,
        StandardOids.PrtAlertGroupIndex,
        StandardOids.PrtAlertLocation,
        StandardOids.PrtAlertCode,
        StandardOids.PrtAlertDescription,
        StandardOids.IfType,
        StandardOids.IfPhysAddress,
    ];

    private static string Describe(Exception e) => e switch
    {
        SnmpTimeoutException t => $"no answer: {t.Message}",
        SnmpException s => s.Message,
        SocketException s => $"network: {s.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
