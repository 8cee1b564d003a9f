using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Readings;

/// <summary>
/// The site's devices a batch's readings can be matched to, loaded tracked; the rest of the site is read only as
/// identity columns, untracked. A site of 40,000 devices had every device loaded and tracked for every batch of 20
/// (docs/reliability.md, "The portal under a dealer's load"). Every device any of a reading's keys (vendor +
/// serial, MAC, IP) points to is loaded: whatever the ingestor's index then answers for a key is that device, or
/// one this batch created or changed, so matching is the same as with the whole site in memory.
/// </summary>
internal static class MatchableDevices
{
    public static async Task<List<Device>> LoadAsync(PortalDbContext db, int siteId, IEnumerable<DeviceReading> readings,
        CancellationToken cancellationToken)
    {
        var identities = await db.Devices.AsNoTracking()
            .Where(d => d.SiteId == siteId)
            .Select(d => new { d.Id, d.Vendor, d.Serial, d.Mac, d.Ip, d.LastSeenAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        // The same precedence as the ingestor's index: the device seen last wins a key.
        var bySerial = new Dictionary<string, long>(StringComparer.Ordinal);
        var byMac = new Dictionary<string, long>(StringComparer.Ordinal);
        var byIp = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var d in identities.OrderBy(d => d.LastSeenAt).ThenBy(d => d.Id))
        {
            if (DeviceIdentity.SerialKey(d.Vendor, d.Serial) is { } serialKey)
            {
                bySerial[serialKey] = d.Id;
            }

            if (DeviceIdentity.MacKey(d.Mac) is { } macKey)
            {
                byMac[macKey] = d.Id;
            }

            byIp[d.Ip] = d.Id;
        }

        var ids = new HashSet<long>();
        foreach (var r in readings)
        {
            var (vendor, serial) = Normalize(r);
            if (DeviceIdentity.SerialKey(vendor, serial) is { } serialKey && bySerial.TryGetValue(serialKey, out var bySerialId))
            {
                ids.Add(bySerialId);
            }

            if (DeviceIdentity.MacKey(r.Mac) is { } macKey && byMac.TryGetValue(macKey, out var byMacId))
            {
                ids.Add(byMacId);
            }

            if (byIp.TryGetValue(r.Ip, out var byIpId))
            {
                ids.Add(byIpId);
            }
        }

        if (ids.Count == 0)
        {
            return [];
        }

        return await db.Devices.Where(d => ids.Contains(d.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A reading's vendor and serial as device identity reads them: trimmed, a blank serial none.</summary>
    public static (string Vendor, string? Serial) Normalize(DeviceReading r) =>
        (r.Vendor?.Trim() ?? "", string.IsNullOrWhiteSpace(r.Serial) ? null : r.Serial.Trim());
}
