using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests.Alerts;

/// <summary>
/// An evaluation of some sites touches those sites only: another site's condition is neither raised nor, once raised,
/// resolved by it, and groups of one site each (the group size at one device) give what one evaluation of all gives.
/// On the real database (SQLite), with the background loop off so the test runs every evaluation itself.
/// </summary>
[NonParallelizable]
public sealed class AlertCycleSitesTests
{
    [Test]
    public async Task An_evaluation_of_some_sites_raises_and_resolves_only_theirs()
    {
        await using var server = await PortalServer.StartAsync(new Dictionary<string, string?>
        {
            ["Portal:Alerts:Enabled"] = "false",
            ["Portal:Alerts:EvaluateGroupDevices"] = "1",
        });
        using (var put = await server.Operator.PutAsJsonAsync("/api/operator/v1/alert-settings",
            new AlertSettingsUpdate(10, null, null, null, null, null, null, null, null)))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        }

        var sites = new List<(SiteCreated Site, TestAgent Agent)>();
        foreach (var name in new[] { "A", "B", "C" })
        {
            var pair = await server.SiteWithAgentAsync($"Site {name}");
            sites.Add(pair);
            await UploadAsync(server, pair, black: 5);
        }

        var (a, b, c) = (sites[0].Site.SiteId, sites[1].Site.SiteId, sites[2].Site.SiteId);
        Assert.That(await RunAsync(server, [a]), Is.EqualTo((1, 0)));
        Assert.That(await OpenAsync(server), Is.EqualTo(new[] { $"{a} raised" }), "only site A was evaluated");

        Assert.That(await RunAsync(server, null), Is.EqualTo((2, 0)), "every site: B and C now, A already told");
        Assert.That(await OpenAsync(server), Is.EqualTo(new[] { $"{a} raised", $"{b} raised", $"{c} raised" }));

        await UploadAsync(server, sites[1], black: 95); // B's new cartridge
        Assert.That(await RunAsync(server, [a, c]), Is.EqualTo((0, 0)), "A and C unchanged; B not evaluated, so not resolved yet");
        Assert.That(await RunAsync(server, [b]), Is.EqualTo((0, 1)));
        Assert.That(await OpenAsync(server), Is.EqualTo(new[] { $"{a} raised", $"{c} raised" }), "evaluating B alone resolved nothing of A or C");

        Assert.That(await RunAsync(server, null), Is.EqualTo((0, 0)), "nothing told twice");
        var all = await server.DbAsync(db => db.Alerts.AsNoTracking().CountAsync());
        Assert.That(all, Is.EqualTo(3));
    }

    private static async Task<(int, int)> RunAsync(PortalServer server, int[]? sites)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AlertCycle>().RunAsync(sites?.ToHashSet(), CancellationToken.None);
    }

    private static Task<string[]> OpenAsync(PortalServer server) => server.DbAsync(async db =>
        (await db.Alerts.AsNoTracking().Where(x => x.State != AlertState.Resolved).OrderBy(x => x.SiteId).ToListAsync())
            .Select(x => $"{x.SiteId} {x.State.ToString().ToLowerInvariant()}").ToArray());

    private static async Task UploadAsync(PortalServer server, (SiteCreated Site, TestAgent Agent) pair, int black)
    {
        var at = server.Time.GetUtcNow().UtcDateTime.AddMinutes(-1);
        var device = Device($"10.9.{pair.Site.SiteId % 250}.1", $"CY{pair.Site.SiteId:000}", "00:17:c8:09:00:01", [("total", 1000)], [("black", black)]);
        using var response = await PortalServer.UploadAsync(pair.Agent.Client, Guid.NewGuid().ToString(), Zip(Scan(pair.Agent.Id, pair.Site.SiteId, at, device)));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }
}
