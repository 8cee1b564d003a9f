using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests.Alerts;

/// <summary>
/// The rules on real stored readings, with dealer-wide defaults only: the run-out forecast of a draining toner, an
/// error state already old when it arrives, a counter gone back and a device gone quiet, each raised once; on SQLite and
/// on PostgreSQL (ONESTOPPI_TEST_PG, as the contract tests).
/// </summary>
[NonParallelizable]
public sealed class AlertRulesPortalTests
{
    [TestCase("sqlite")]
    [TestCase("postgres")]
    public async Task Dealer_wide_rules_raise_run_out_error_state_counter_and_silence_alerts_from_stored_readings(string store)
    {
        var postgres = new PostgresTestDatabase();
        try
        {
            await using var server = store == "postgres" ? await postgres.StartServerAsync() : await PortalServer.StartAsync();
            await RunAsync(server);
        }
        finally
        {
            await postgres.DropAsync();
        }
    }

    private static async Task RunAsync(PortalServer server)
    {
        var (site, agent) = await server.SiteWithAgentAsync("Rules Ltd");
        using (var put = await server.Operator.PutAsJsonAsync("/api/operator/v1/alert-settings",
            new AlertSettingsUpdate(null, 7, 10, null, 6, null, true, null, null)))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        }

        using (var bad = await server.Operator.PutAsJsonAsync($"/api/operator/v1/sites/{site.SiteId}/alert-settings",
            new AlertSettingsUpdate(101, null, null, null, null, null, null, "ftp://x", null)))
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        DateTime now = server.Time.GetUtcNow().UtcDateTime;
        for (int d = 0; d < 20; d++)
        {
            DateTime at = now.AddDays(d - 19).AddMinutes(-30);
            bool last = d == 19;
            var draining = Device("10.8.0.1", "RO001", "00:17:c8:08:00:01", [("total", 10_000 + (200 * d))], [("black", 46 - (2 * d))]);
            var jammed = Device("10.8.0.2", "ER001", "00:17:c8:08:00:02", [("total", 3000 + d)]);
            if (last)
            {
                jammed.Element(Ns + "status")!.Add(new XElement(Ns + "error", "jammed"), new XElement(Ns + "error", "lowPaper"));
            }

            var replaced = Device("10.8.0.3", "BK001", "00:17:c8:08:00:03", [("total", last ? 40 : 5000 + (10 * d))]);
            XElement[] devices = d == 0 ? [draining, jammed, replaced, Device("10.8.0.4", "OLD01", "00:17:c8:08:00:04", [("total", 1)])] : [draining, jammed, replaced];
            using var response = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, at, devices)));
            Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        }

        var signal = server.Services.GetRequiredService<AlertSignal>();
        var cycles = signal.Cycles;
        signal.Poke();
        for (var i = 0; i < 300 && signal.Cycles < cycles + 2; i++) // the cycle under way when poked, then a whole one after it
        {
            await Task.Delay(100);
        }

        var alerts = (await server.Operator.GetFromJsonAsync<AlertView[]>($"/api/operator/v1/alerts?siteId={site.SiteId}"))!;
        Assert.That(alerts.Select(a => $"{a.Kind} {a.State}").Order(), Is.EqualTo(new[]
        {
            "counterBackwards raised", "deviceSilent raised", "errorState raised", "supplyRunOut raised",
        }), string.Join("\n", alerts.Select(a => a.Message)));
        Assert.Multiple(() =>
        {
            Assert.That(alerts.Single(a => a.Kind == "supplyRunOut").Message, Does.Contain("RO001").And.Contain("black toner runs out in about"));
            Assert.That(alerts.Single(a => a.Kind == "errorState").Message, Does.Contain("ER001").And.Contain("jammed"));
            Assert.That(alerts.Single(a => a.Kind == "counterBackwards").Message, Does.Contain("from 5,180 to 40"));
            Assert.That(alerts.Single(a => a.Kind == "deviceSilent").Message, Does.Contain("OLD01"));
        });

        var view = (await server.Operator.GetFromJsonAsync<AlertSettingsView>($"/api/operator/v1/sites/{site.SiteId}/alert-settings"))!;
        Assert.That(view.Effective!.SupplyRunOutDays, Is.EqualTo(7));
        Assert.That(view.SupplyRunOutDays, Is.Null, "the site itself sets nothing: it inherits");
    }
}
