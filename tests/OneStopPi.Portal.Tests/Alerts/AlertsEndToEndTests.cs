using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests.Alerts;

/// <summary>
/// Readings through the agent API that cross a rule: the real portal raises the alert once, mails it through a real
/// SMTP server with STARTTLS and posts it to a local webhook, which answers 500 first; the portal is restarted with
/// that delivery pending and retries it after its backoff. Readings that clear it: "resolved" arrives once by each way.
/// </summary>
[NonParallelizable]
public sealed class AlertsEndToEndTests
{
    [Test]
    public async Task Low_toner_is_raised_once_retried_across_a_restart_and_resolved_once_by_webhook_and_mail()
    {
        using var smtp = await SmtpTestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var data = Directory.CreateTempSubdirectory("onestoppi-alerts-e2e-");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Portal:DataDirectory"] = data.FullName,
                ["Portal:Alerts:Smtp:Host"] = "127.0.0.1",
                ["Portal:Alerts:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Portal:Alerts:Smtp:From"] = "alerts@portal.example",
                ["Portal:Alerts:Smtp:ServerCertificateSha256"] = smtp.CertificateSha256,
            };

            SiteCreated site;
            TestAgent agent;
            string secret, operatorToken;
            await using (var first = await PortalServer.StartAsync(settings))
            {
                operatorToken = first.OperatorToken;
                (site, agent) = await first.SiteWithAgentAsync("Alert & Co");
                using var put = await first.Operator.PutAsJsonAsync($"/api/operator/v1/sites/{site.SiteId}/alert-settings",
                    new AlertSettingsUpdate(10, null, null, null, null, null, null, receiver.Url.ToString(), ["ops@dealer.example"]));
                Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
                var view = (await put.Content.ReadFromJsonAsync<AlertSettingsView>())!;
                secret = view.WebhookSecret!;
                Assert.That(secret, Has.Length.EqualTo(43));
                Assert.That(view.Effective!.SupplyBelowPercent, Is.EqualTo(10));
                var again = (await first.Operator.GetFromJsonAsync<AlertSettingsView>($"/api/operator/v1/sites/{site.SiteId}/alert-settings"))!;
                Assert.That(again.WebhookSecret, Is.Null, "the secret is shown once");
                Assert.That(again.WebhookSecretSet, Is.True);

                receiver.AnswerNext(500);
                await UploadAsync(first, agent, site, first.Time.GetUtcNow().UtcDateTime.AddMinutes(-2), black: 5);
                var mails = await smtp.WaitForAsync(1);
                var hooks = await receiver.WaitForAsync(h => h.Count >= 1);
                Assert.That(mails, Has.Count.EqualTo(1));
                Assert.That(hooks.Single().AnsweredStatus, Is.EqualTo(500));

                var delivery = await WaitForAsync(first, db => db.AlertDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Channel == DeliveryChannel.Webhook && d.Attempts == 1));
                Assert.That(delivery.State, Is.EqualTo(DeliveryState.Pending));
                Assert.That(delivery.LastError, Does.Contain("500"));
            }

            // A new portal process on the same data: the pending delivery is in the database, not in memory.
            await using var second = await PortalServer.StartAsync(settings, operatorToken);
            var signal = second.Services.GetRequiredService<AlertSignal>();
            await WaitForCyclesAsync(signal, 1);
            Assert.That(receiver.Received, Has.Count.EqualTo(1), "not yet: the retry waits for its backoff");
            second.Time.Advance(TimeSpan.FromSeconds(45));
            var retried = await receiver.WaitForAsync(h => h.Count >= 2);
            Assert.That(retried, Has.Count.EqualTo(2));
            Assert.That(retried[1].AnsweredStatus, Is.EqualTo(200));
            Assert.That(retried[1].Delivery, Is.EqualTo(retried[0].Delivery), "the same delivery, retried");

            var agentAgain = new TestAgent(agent.Id, agent.Token, second.CreateClient(agent.Token, agent.Id));
            await UploadAsync(second, agentAgain, site, second.Time.GetUtcNow().UtcDateTime.AddMinutes(-1), black: 97); // a new cartridge
            var resolvedHooks = await receiver.WaitForAsync(h => h.Count >= 3);
            var resolvedMails = await smtp.WaitForAsync(2);

            // More evaluations (the period, and another batch at 97 %) tell nothing new.
            var cycles = signal.Cycles;
            second.Time.Advance(TimeSpan.FromSeconds(61));
            await UploadAsync(second, agentAgain, site, second.Time.GetUtcNow().UtcDateTime, black: 97);
            await WaitForCyclesAsync(signal, cycles + 2);

            var hooksFinal = receiver.Received;
            var mailsFinal = smtp.Messages();
            Assert.That(hooksFinal.Select(h => $"{h.Event} {h.AnsweredStatus}"), Is.EqualTo(new[] { "raised 500", "raised 200", "resolved 200" }));
            Assert.That(mailsFinal.Select(m => m.Raw.Contains("Subject: [OneStopPi] raised:", StringComparison.Ordinal) ? "raised" : m.Raw.Contains("Subject: [OneStopPi] resolved:", StringComparison.Ordinal) ? "resolved" : "?"),
                Is.EqualTo(new[] { "raised", "resolved" }));
            Assert.That(mailsFinal.All(m => m.Tls), Is.True);
            foreach (var hook in hooksFinal)
            {
                Assert.That(hook.Signature, Is.EqualTo(AlertChannelTests.ExpectedSignature(secret, hook.Timestamp!, hook.Body)), "signed with the site's secret");
            }

            using (var resolved = JsonDocument.Parse(hooksFinal[2].Body))
            {
                var alert = resolved.RootElement.GetProperty("alert");
                Assert.That(alert.GetProperty("state").GetString(), Is.EqualTo("resolved"));
                Assert.That(alert.GetProperty("site").GetString(), Is.EqualTo("Alert & Co"));
                Assert.That(alert.GetProperty("message").GetString(), Does.Contain("black toner at 5 % (alert at 10 %)"));
            }

            var alerts = (await second.Operator.GetFromJsonAsync<AlertView[]>($"/api/operator/v1/alerts?siteId={site.SiteId}"))!;
            Assert.That(alerts.Select(a => (a.Kind, a.State)), Is.EqualTo(new[] { ("supplyLow", "resolved") }));
            var page = await SignedInPageAsync(second, $"/alerts?siteId={site.SiteId}");
            Assert.That(page, Does.Contain("Rules here: supply at or below 10 %"));
            Assert.That(page, Does.Contain("black toner at 5 %").And.Contain("resolved webhook: delivered (1 attempt)").And.Contain("raised webhook: delivered (2 attempts)"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static async Task UploadAsync(PortalServer server, TestAgent agent, SiteCreated site, DateTime at, int black)
    {
        var device = Device("10.9.0.1", "AL001", "00:17:c8:09:00:01", [("total", 1000)], [("black", black)]);
        using var response = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, at, device)));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    private static async Task<T> WaitForAsync<T>(PortalServer server, Func<PortalDbContext, Task<T?>> query)
        where T : class
    {
        for (var i = 0; i < 300; i++)
        {
            if (await server.DbAsync(query) is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("not stored within 30 s");
    }

    private static async Task WaitForCyclesAsync(AlertSignal signal, long cycles)
    {
        for (var i = 0; i < 300 && signal.Cycles < cycles; i++)
        {
            await Task.Delay(100);
        }

        Assert.That(signal.Cycles, Is.GreaterThanOrEqualTo(cycles), "the alert service ran");
    }

    private static async Task<string> SignedInPageAsync(PortalServer server, string path)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var pin = server.CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString(HashAlgorithmName.SHA256) == pin;
        using var browser = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        using (var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", server.OperatorToken)])))
        {
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        return await browser.GetStringAsync(path);
    }
}
