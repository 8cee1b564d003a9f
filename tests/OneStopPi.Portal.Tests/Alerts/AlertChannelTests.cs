using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Tests.Support;

namespace OneStopPi.Portal.Tests.Alerts;

/// <summary>
/// The two delivery channels against real local peers: a webhook receiver (Kestrel on 127.0.0.1) and an SMTP
/// server (aiosmtpd on 127.0.0.1) that offers and requires STARTTLS.
/// </summary>
[NonParallelizable]
public sealed class AlertChannelTests
{
    private static readonly AlertEventMessage Message = new(42, "raised", new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc), new AlertView(
        7, 1, "Acme Ltd", "supplyLow", "device:3:supply:0:low", 3, null, "raised", "Kyocera TASKalfa KY1 (10.0.0.7): black toner at 4 % (alert at 10 %)", null,
        new DateTime(2026, 12, 7, 9, 58, 0, DateTimeKind.Utc), new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc), null));

    [Test]
    public async Task A_webhook_is_posted_as_json_with_a_signature_the_receiver_can_check()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 5, TimeSpan.Zero));
        using var http = new HttpClient();
        var sender = new WebhookSender(http, Microsoft.Extensions.Options.Options.Create(new AlertOptions()), time);
        const string secret = "site-secret-for-the-test";

        receiver.AnswerNext(500);
        var failed = Assert.ThrowsAsync<DeliveryFailedException>(() => sender.SendAsync(receiver.Url, secret, Message, CancellationToken.None));
        Assert.That(failed!.Message, Does.Contain("500"));
        await sender.SendAsync(receiver.Url, secret, Message, CancellationToken.None);

        var hooks = receiver.Received;
        Assert.That(hooks, Has.Count.EqualTo(2));
        foreach (var hook in hooks)
        {
            Assert.That(hook.Timestamp, Is.EqualTo(time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
            Assert.That(hook.Signature, Is.EqualTo(ExpectedSignature(secret, hook.Timestamp!, hook.Body)));
            Assert.That(hook.Signature, Is.Not.EqualTo(ExpectedSignature("another secret", hook.Timestamp!, hook.Body)));
            Assert.That(hook.Delivery, Is.EqualTo("42"));
            using var json = JsonDocument.Parse(hook.Body);
            Assert.That(json.RootElement.GetProperty("event").GetString(), Is.EqualTo("raised"));
            Assert.That(json.RootElement.GetProperty("alert").GetProperty("kind").GetString(), Is.EqualTo("supplyLow"));
            Assert.That(json.RootElement.GetProperty("alert").GetProperty("message").GetString(), Does.Contain("black toner at 4 %"));
        }
    }

    [Test]
    public async Task Mail_is_sent_through_a_real_smtp_server_after_starttls()
    {
        using var smtp = await SmtpTestServer.StartAsync();
        var sender = new MailSender(Microsoft.Extensions.Options.Options.Create(SmtpSettings(smtp, smtp.CertificateSha256)));
        await sender.SendAsync(["ops@dealer.example", "tech@dealer.example"], Message, CancellationToken.None);

        var mail = (await smtp.WaitForAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(mail.Tls, Is.True, "the session was upgraded with STARTTLS before MAIL");
            Assert.That(mail.From, Is.EqualTo("alerts@portal.example"));
            Assert.That(mail.To, Is.EquivalentTo(new[] { "ops@dealer.example", "tech@dealer.example" }));
            Assert.That(mail.Raw, Does.Contain("Subject: [OneStopPi] raised: Acme Ltd:"));
            Assert.That(mail.Raw, Does.Contain("black toner at 4 %"));
            Assert.That(mail.Raw, Does.Contain("X-OneStopPi-Delivery: 42"));
        });
    }

    [Test]
    public async Task Mail_is_not_sent_to_a_server_without_starttls_nor_to_one_whose_certificate_is_not_trusted()
    {
        using (var plain = await SmtpTestServer.StartAsync(tls: false))
        {
            var sender = new MailSender(Microsoft.Extensions.Options.Options.Create(SmtpSettings(plain, plain.CertificateSha256)));
            var refused = Assert.ThrowsAsync<DeliveryFailedException>(() => sender.SendAsync(["ops@dealer.example"], Message, CancellationToken.None));
            Assert.That(refused!.Message, Does.Contain("127.0.0.1"));
            Assert.That(plain.Messages(), Is.Empty);
        }

        using var tls = await SmtpTestServer.StartAsync();
        var wrongPin = new MailSender(Microsoft.Extensions.Options.Options.Create(SmtpSettings(tls, new string('A', 64))));
        Assert.ThrowsAsync<DeliveryFailedException>(() => wrongPin.SendAsync(["ops@dealer.example"], Message, CancellationToken.None));
        var unpinned = new MailSender(Microsoft.Extensions.Options.Options.Create(SmtpSettings(tls, null)));
        Assert.ThrowsAsync<DeliveryFailedException>(() => unpinned.SendAsync(["ops@dealer.example"], Message, CancellationToken.None), "a self-signed certificate is not trusted by default");
        Assert.That(tls.Messages(), Is.Empty);
    }

    private static AlertOptions SmtpSettings(SmtpTestServer smtp, string? pin) => new()
    {
        Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, From = "alerts@portal.example", ServerCertificateSha256 = pin, TimeoutSeconds = 20 },
    };

    /// <summary>What a receiver computes: HMAC-SHA256 over "timestamp.body" with the shared secret, hex, "sha256=" first.</summary>
    internal static string ExpectedSignature(string secret, string timestamp, byte[] body)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        hmac.TransformBlock(Encoding.ASCII.GetBytes(timestamp + "."), 0, timestamp.Length + 1, null, 0);
        hmac.TransformFinalBlock(body, 0, body.Length);
        return "sha256=" + Convert.ToHexString(hmac.Hash!).ToLowerInvariant();
    }
}
