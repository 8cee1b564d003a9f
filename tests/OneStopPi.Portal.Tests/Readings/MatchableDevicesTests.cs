using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Readings;
using OneStopPi.Portal.Tests.Support;

namespace OneStopPi.Portal.Tests.Readings;

/// <summary>
/// A batch loads only the site's devices its readings can match (vendor + serial, MAC, IP), with the same precedence
/// the ingestor's index gives (the device seen last wins a key), instead of every device of the site. On SQLite.
/// </summary>
[NonParallelizable]
public sealed class MatchableDevicesTests
{
    private static readonly DateTime Start = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    [Test]
    public async Task Only_the_devices_a_reading_points_to_are_loaded()
    {
        await using var server = await PortalServer.StartAsync();
        var (site, _) = await server.SiteWithAgentAsync();
        int siteId = site.SiteId;
        await server.DbAsync(async db =>
        {
            for (int i = 0; i < 200; i++)
            {
                db.Devices.Add(new Device
                {
                    SiteId = siteId, Vendor = "Xerox", Serial = i < 100 ? $"S{i:000}" : null, Mac = $"00:11:22:33:{i / 256:x2}:{i % 256:x2}",
                    Ip = $"10.1.{i / 256}.{i % 256}", FirstSeenAt = Start, LastSeenAt = Start.AddMinutes(i),
                });
            }

            // Two devices with one MAC (a board swapped into another printer): the one seen last wins the key.
            db.Devices.Add(new Device { SiteId = siteId, Vendor = "Xerox", Mac = "aa:bb:cc:00:00:01", Ip = "10.2.0.1", FirstSeenAt = Start, LastSeenAt = Start.AddDays(1) });
            db.Devices.Add(new Device { SiteId = siteId, Vendor = "Xerox", Mac = "aa:bb:cc:00:00:01", Ip = "10.2.0.2", FirstSeenAt = Start, LastSeenAt = Start.AddDays(2) });
            return await db.SaveChangesAsync();
        });

        var readings = new[]
        {
            Reading("10.9.9.1", mac: null, vendor: " xerox ", serial: " s005 "), // serial key, without case or blanks
            Reading("10.9.9.2", mac: "00:11:22:33:00:96", vendor: "Xerox", serial: null), // MAC of device 150 (no serial)
            Reading("10.1.0.170", mac: null, vendor: null, serial: null), // IP of device 170
            Reading("10.9.9.3", mac: "AA:BB:CC:00:00:01", vendor: "Xerox", serial: null), // the shared MAC
            Reading("10.9.9.4", mac: "00:99:99:99:99:99", vendor: "HP", serial: "NEW1"), // a new printer: nothing
        };

        List<Device> loaded = await server.DbAsync(db => MatchableDevices.LoadAsync(db, siteId, readings, CancellationToken.None));

        Assert.That(loaded.Select(d => d.Serial ?? d.Ip).Order().ToArray(),
            Is.EqualTo(new[] { "10.1.0.150", "10.1.0.170", "10.2.0.2", "S005" }));
    }

    [Test]
    public async Task A_site_without_devices_loads_nothing()
    {
        await using var server = await PortalServer.StartAsync();
        var (site, _) = await server.SiteWithAgentAsync();

        List<Device> loaded = await server.DbAsync(db => MatchableDevices.LoadAsync(db, site.SiteId, [Reading("10.9.9.1", "00:11:22:33:44:55", "HP", "X")], CancellationToken.None));

        Assert.That(loaded, Is.Empty);
    }

    private static DeviceReading Reading(string ip, string? mac, string? vendor, string? serial) =>
        new(ip, 161, mac, vendor, null, serial, null, null, null, null, null, null, [], []);
}
