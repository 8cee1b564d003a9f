using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Hosting;

namespace OneStopPi.Portal.Readings;

/// <summary>
/// Stores one uploaded batch: validated whole before the transaction opens, then written in one
/// transaction that claims the batch id first. The unique index on the batch id decides a race:
/// the loser rolls back and answers "duplicate" like any retry.
/// Two boxes on one site read the same printers: devices are merged by identity (serial + MAC, DeviceIdentity), a
/// scheduled meter slot keeps one reading per device (the first box's; the unique index on device + slot decides a
/// race), and every answered reading notes which box saw the device when (DeviceSighting, Device.LastSeenByAgentId).
/// </summary>
internal sealed partial class BatchIngestor(PortalDbContext db, TimeProvider time, IOptions<PortalOptions> options, ILogger<BatchIngestor> logger)
{
    private const int MaxAttempts = 3;

    public static bool IsValidBatchId(string batchId) => BatchIdPattern().IsMatch(batchId);

    public async Task<(BatchAccepted Result, bool Created)> IngestAsync(
        AuthenticatedAgent agent, string batchId, byte[] body, CancellationToken cancellationToken)
    {
        var sha = SHA256.HashData(body);
        if (await FindAsync(batchId, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return (Duplicate(earlier, agent, sha), false);
        }

        if (agent.SiteId is not { } siteId)
        {
            throw new UploadRejectedException(StatusCodes.Status409Conflict, "Agent not assigned",
                "This agent is not assigned to a site yet, so it has nothing to upload.");
        }

        var o = options.Value;
        var entries = await BatchArchive.ReadAsync(body, new ArchiveLimits(o.MaxArchiveEntries, o.MaxEntryBytes, o.MaxUncompressedBytes, FlatXmlOnly: true),
            cancellationToken).ConfigureAwait(false);
        var documents = entries.Select(e => (e.Name, Document: ReadingXmlReader.Read(e.Name, e.Content))).ToList();
        foreach (var (name, document) in documents)
        {
            CheckOwnership(name, document, agent.Id, siteId);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await StoreAsync(agent.Id, siteId, batchId, sha, body.LongLength, documents, cancellationToken).ConfigureAwait(false);
                logger.BatchStored(batchId, agent.Id, stored.Documents, stored.Readings);
                return (stored, true);
            }
            catch (DbUpdateException e) when (db.IsUniqueViolation(e) && attempt < MaxAttempts)
            {
                // Another request stored this batch (or created one of its devices) first.
                logger.BatchRace(batchId, attempt);
                db.ChangeTracker.Clear();
                if (await FindAsync(batchId, cancellationToken).ConfigureAwait(false) is { } winner)
                {
                    return (Duplicate(winner, agent, sha), false);
                }
            }
        }
    }

    private Task<UploadBatch?> FindAsync(string batchId, CancellationToken cancellationToken) =>
        db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.BatchKey == batchId, cancellationToken);

    private BatchAccepted Duplicate(UploadBatch earlier, AuthenticatedAgent agent, byte[] sha)
    {
        if (earlier.AgentId != agent.Id)
        {
            throw new UploadRejectedException(StatusCodes.Status409Conflict, "Batch id taken", "This batch id was used by another agent.");
        }

        if (!CryptographicOperations.FixedTimeEquals(earlier.ContentSha256, sha))
        {
            throw new UploadRejectedException(StatusCodes.Status409Conflict, "Batch id reused",
                "A batch with this id and different content is already stored; a new batch needs a new id.");
        }

        logger.BatchDuplicate(earlier.BatchKey, agent.Id);
        return new BatchAccepted(earlier.BatchKey, true, earlier.DocumentCount, earlier.ReadingCount);
    }

    private static void CheckOwnership(string name, ReadingDocument document, Guid agentId, int siteId)
    {
        if (!Guid.TryParse(document.AgentId, out var docAgent) || docAgent != agentId)
        {
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Reading of another agent",
                $"Entry '{name}' names agent {document.AgentId}, not the uploading agent.");
        }

        if (document.SiteId != siteId.ToString(CultureInfo.InvariantCulture))
        {
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Reading of another site",
                $"Entry '{name}' names site {document.SiteId}; this agent is assigned to site {siteId}.");
        }

        foreach (var counter in document.Devices.SelectMany(d => d.Counters))
        {
            if (counter.Value > long.MaxValue)
            {
                throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Counter out of range",
                    $"Entry '{name}': counter {counter.Name} = {counter.Value} exceeds 2^63-1.");
            }
        }
    }

    private async Task<BatchAccepted> StoreAsync(Guid agentId, int siteId, string batchId, byte[] sha, long size,
        List<(string Name, ReadingDocument Document)> documents, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var batch = new UploadBatch
        {
            BatchKey = batchId,
            AgentId = agentId,
            SiteId = siteId,
            ReceivedAt = now,
            ContentSha256 = sha,
            SizeBytes = size,
            DocumentCount = documents.Count,
            ReadingCount = documents.Sum(d => d.Document.Devices.Count),
        };
        db.Batches.Add(batch);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false); // claims the batch id: the race ends here

        var siteDevices = await MatchableDevices.LoadAsync(db, siteId, documents.SelectMany(d => d.Document.Devices), cancellationToken).ConfigureAwait(false);
        var devices = new DeviceIndex(siteDevices);
        var slots = new SlotClaims(await TakenSlotsAsync(siteId, documents, cancellationToken).ConfigureAwait(false));
        var siteDeviceIds = siteDevices.Select(d => d.Id).ToList();
        var sightings = new Sightings(agentId, db, siteDevices,
            await db.DeviceSightings.Where(s => s.AgentId == agentId && siteDeviceIds.Contains(s.DeviceId)).ToListAsync(cancellationToken).ConfigureAwait(false));
        var stored = new List<Reading>();
        foreach (var (name, document) in documents.OrderBy(d => d.Document.End))
        {
            var scan = new Scan
            {
                Batch = batch,
                AgentId = agentId,
                SiteId = siteId,
                Kind = document.Kind,
                MissedMeter = document.MissedMeter,
                Slot = document.Slot,
                StartedAt = document.Start,
                EndedAt = document.End,
                EntryName = name,
            };
            db.Scans.Add(scan);
            var again = 0;
            foreach (var d in document.Devices)
            {
                var device = d.Error is null ? devices.Upsert(d, siteId, document.End, agentId, db) : devices.ByIp(d.Ip);
                DateTime? slot = null;
                if (d.Error is null && device is not null)
                {
                    sightings.See(device, document.End, d.Ip);
                    if (document.Slot is { } scheduled && !slots.Claim(device, scheduled))
                    {
                        again++;
                        continue;
                    }

                    slot = document.Slot;
                }

                var reading = ToReading(d, scan, batch, siteId, document, device);
                reading.Slot = slot;
                db.Readings.Add(reading);
                stored.Add(reading);
            }

            if (again > 0)
            {
                logger.SlotAlreadyRead(batchId, agentId, again, document.Slot!.Value);
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var reading in stored.Where(r => r.Device is not null && r.Error is null))
        {
            MarkLatest(reading.Device!, reading);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new BatchAccepted(batchId, false, batch.DocumentCount, batch.ReadingCount);
    }

    /// <summary>The (device, slot) pairs of the batch's slots another batch already stored.</summary>
    private async Task<HashSet<(long DeviceId, DateTime Slot)>> TakenSlotsAsync(int siteId, List<(string Name, ReadingDocument Document)> documents,
        CancellationToken cancellationToken)
    {
        var slots = documents.Where(d => d.Document.Slot is not null).Select(d => d.Document.Slot!.Value).Distinct().ToList();
        if (slots.Count == 0)
        {
            return [];
        }

        var taken = await db.Readings.AsNoTracking()
            .Where(r => r.SiteId == siteId && r.DeviceId != null && r.Slot != null && slots.Contains(r.Slot.Value))
            .Select(r => new { DeviceId = r.DeviceId!.Value, Slot = r.Slot!.Value })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. taken.Select(t => (t.DeviceId, t.Slot))];
    }

    private static Reading ToReading(DeviceReading d, Scan scan, UploadBatch batch, int siteId, ReadingDocument document, Device? device) => new()
    {
        Scan = scan,
        BatchId = batch.Id, // saved before any reading
        SiteId = siteId,
        Device = device,
        Kind = document.Kind,
        At = document.End,
        Ip = d.Ip,
        Error = d.Error,
        HrDeviceStatus = d.Status?.HrDeviceStatus,
        HrPrinterStatus = d.Status?.HrPrinterStatus,
        Errors = d.Status is { Errors.Count: > 0 } s ? string.Join(' ', s.Errors) : null,
        Alerts = [.. (d.Status?.Alerts ?? []).Select(a => new ReadingAlert { Severity = a.Severity, Group = a.Group, Code = a.Code, Description = a.Description })],
        Counters = [.. d.Counters.Select(c => new CounterValue { Name = c.Name, Value = (long)c.Value, Oid = c.Oid })],
        Supplies = [.. d.Supplies.Select((s, i) => new SupplyLevel
        {
            Position = i, Description = s.Description, Type = s.Type, Colour = s.Colour, Level = s.Level, Max = s.Max,
            Unit = s.Unit, Percent = s.Percent, State = s.State,
        })],
    };

    private static void MarkLatest(Device device, Reading reading)
    {
        if (device.LatestReadingAt is null || reading.At >= device.LatestReadingAt)
        {
            (device.LatestReadingId, device.LatestReadingAt) = (reading.Id, reading.At);
        }

        if (reading.Counters.Count > 0 && (device.LatestMeterAt is null || reading.At >= device.LatestMeterAt))
        {
            (device.LatestMeterReadingId, device.LatestMeterAt) = (reading.Id, reading.At);
        }

        if (reading.Supplies.Count > 0 && (device.LatestSupplyAt is null || reading.At >= device.LatestSupplyAt))
        {
            (device.LatestSupplyReadingId, device.LatestSupplyAt) = (reading.Id, reading.At);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}$")]
    private static partial Regex BatchIdPattern();

    /// <summary>The site's devices by identity (those the batch can match: MatchableDevices): vendor + serial first, then MAC, then (neither known) IP.</summary>
    private sealed class DeviceIndex
    {
        // Keyed by the contract's identity rules (DeviceIdentity), the same as the agent's registry: serials without case.
        private readonly Dictionary<string, Device> _bySerial = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Device> _byMac = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Device> _byIp = new(StringComparer.Ordinal);

        public DeviceIndex(List<Device> devices)
        {
            foreach (var device in devices.OrderBy(d => d.LastSeenAt).ThenBy(d => d.Id))
            {
                Index(device);
            }
        }

        public Device? ByIp(string ip) => _byIp.GetValueOrDefault(ip);

        public Device Upsert(DeviceReading r, int siteId, DateTime at, Guid agentId, PortalDbContext db)
        {
            var (vendor, serial) = MatchableDevices.Normalize(r);
            var device = Find(vendor, serial, r.Mac, r.Ip);
            if (device is null)
            {
                device = new Device { SiteId = siteId, Vendor = vendor, Serial = serial, Ip = r.Ip, FirstSeenAt = at, LastSeenAt = at };
                db.Devices.Add(device);
            }
            else if (device.Serial is null && serial is not null)
            {
                (device.Vendor, device.Serial) = (vendor, serial); // first time its serial could be read
            }

            if (at >= device.LastSeenAt || device.Id == 0)
            {
                device.LastSeenAt = at;
                device.LastSeenByAgentId = agentId;
                device.Ip = r.Ip;
                device.Port = r.Port;
                device.Mac = r.Mac ?? device.Mac;
                device.Model = r.Model ?? device.Model;
                device.Firmware = r.Firmware ?? device.Firmware;
                device.SysName = r.SysName ?? device.SysName;
                device.SysDescr = r.SysDescr ?? device.SysDescr;
                device.SysObjectId = r.SysObjectId ?? device.SysObjectId;
            }

            Index(device);
            return device;
        }

        private Device? Find(string vendor, string? serial, string? mac, string ip)
        {
            string? macKey = DeviceIdentity.MacKey(mac);
            if (DeviceIdentity.SerialKey(vendor, serial) is { } serialKey)
            {
                if (_bySerial.TryGetValue(serialKey, out var bySerial))
                {
                    return bySerial;
                }

                return macKey is not null && _byMac.TryGetValue(macKey, out var seenWithoutSerial) && seenWithoutSerial.Serial is null
                    ? seenWithoutSerial
                    : null;
            }

            if (macKey is not null)
            {
                return _byMac.GetValueOrDefault(macKey);
            }

            return _byIp.TryGetValue(ip, out var byIp) && DeviceIdentity.SerialKey(byIp.Vendor, byIp.Serial) is null && DeviceIdentity.MacKey(byIp.Mac) is null ? byIp : null;
        }

        private void Index(Device device)
        {
            if (DeviceIdentity.SerialKey(device.Vendor, device.Serial) is { } serialKey)
            {
                _bySerial[serialKey] = device;
            }

            if (DeviceIdentity.MacKey(device.Mac) is { } macKey)
            {
                _byMac[macKey] = device;
            }

            _byIp[device.Ip] = device;
        }
    }

    /// <summary>
    /// One reading per device per scheduled meter slot: taken by a batch stored earlier (another box's), or earlier in
    /// this batch (a printer on two addresses that identity folds into one device).
    /// </summary>
    private sealed class SlotClaims(HashSet<(long DeviceId, DateTime Slot)> stored)
    {
        private readonly HashSet<(Device Device, DateTime Slot)> _claimed = [];

        /// <summary>True when the device's reading for the slot is the first and is to be stored.</summary>
        public bool Claim(Device device, DateTime slot) =>
            !(device.Id != 0 && stored.Contains((device.Id, slot))) && _claimed.Add((device, slot));
    }

    /// <summary>The uploading box's sightings of the site's devices: created on first sight, moved forward after.</summary>
    private sealed class Sightings
    {
        private readonly Guid _agentId;
        private readonly PortalDbContext _db;
        private readonly Dictionary<Device, DeviceSighting> _byDevice = new(ReferenceEqualityComparer.Instance);

        public Sightings(Guid agentId, PortalDbContext db, List<Device> devices, List<DeviceSighting> sightings)
        {
            _agentId = agentId;
            _db = db;
            var byId = devices.ToDictionary(d => d.Id);
            foreach (var sighting in sightings)
            {
                if (byId.TryGetValue(sighting.DeviceId, out var device))
                {
                    _byDevice[device] = sighting;
                }
            }
        }

        public void See(Device device, DateTime at, string ip)
        {
            if (_byDevice.TryGetValue(device, out var sighting))
            {
                if (at >= sighting.LastSeenAt)
                {
                    (sighting.LastSeenAt, sighting.Ip) = (at, ip);
                }

                return;
            }

            sighting = new DeviceSighting { Device = device, AgentId = _agentId, LastSeenAt = at, Ip = ip };
            _byDevice[device] = sighting;
            _db.DeviceSightings.Add(sighting);
        }
    }
}
