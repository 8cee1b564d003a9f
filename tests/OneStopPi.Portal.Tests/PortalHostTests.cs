using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Cli;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests;

/// <summary>What only the running host shows: TLS, the SQLite file, OpenAPI, the web pages and the CLI.</summary>
[TestFixture]
public sealed class PortalHostTests
{
    private static readonly DateTime Morning = new(2026, 3, 2, 6, 5, 0, DateTimeKind.Utc);
    private PortalServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await PortalServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task The_portal_speaks_tls_1_2_or_later_with_the_configured_certificate()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _server.BaseAddress.Port);
        await using var tls = new SslStream(tcp.GetStream());
        string? served = null;
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                served = certificate?.GetCertHashString(HashAlgorithmName.SHA256);
                return true;
            },
        });

        Assert.That(tls.SslProtocol, Is.EqualTo(SslProtocols.Tls12).Or.EqualTo(SslProtocols.Tls13));
        Assert.That(served, Is.EqualTo(_server.CertificateSha256));

        using var tcp12 = new TcpClient();
        await tcp12.ConnectAsync(IPAddress.Loopback, _server.BaseAddress.Port);
        await using var tls12 = new SslStream(tcp12.GetStream());
        await tls12.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = SslProtocols.Tls12,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        Assert.That(tls12.SslProtocol, Is.EqualTo(SslProtocols.Tls12));
    }

    [Test]
    public async Task A_database_file_alone_does_not_reveal_snmp_credentials_or_setup_keys()
    {
        var (site, agent) = await _server.SiteWithAgentAsync("At Rest");
        using var response = await _server.Operator.PatchAsJsonAsync($"/api/operator/v1/sites/{site.SiteId}/config",
            new SiteConfigUpdate(null, null, ["plaintext-community-31337"], [new SnmpV3User("v3reader", "SHA256", "auth-secret-31337", "AES", "priv-secret-31337", null)],
                null, null, null, null, null));
        Assert.That(response.IsSuccessStatusCode, Is.True);
        var config = await agent.Client.GetStringAsync("/api/agent/v1/config");
        Assert.That(config, Does.Contain("plaintext-community-31337"), "the agent of the site gets them");
        using (var heartbeat = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.0", 60, null, null, 0, 0, "ZK31-337S-ETUP-KEY9")))
        {
            Assert.That(heartbeat.IsSuccessStatusCode, Is.True);
        }

        var files = Directory.GetFiles(_server.DataDirectory, "portal.db*");
        Assert.That(files, Is.Not.Empty);
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            foreach (var secret in new[] { "plaintext-community-31337", "auth-secret-31337", "priv-secret-31337", "ZK31-337S-ETUP-KEY9" })
            {
                Assert.That(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)), Is.EqualTo(-1), $"{secret} in {Path.GetFileName(file)}");
            }

            Assert.That(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(_server.OperatorToken)), Is.EqualTo(-1), "tokens are stored as hashes");
        }
    }

    [Test]
    public async Task The_running_portal_serves_its_openapi_document_and_the_readings_schema()
    {
        using var anonymous = _server.CreateClient();
        using var openApi = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = openApi.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/api/agent/v1/enrol", "/api/agent/v1/config", "/api/agent/v1/batches/{batchId}", "/api/agent/v1/heartbeat",
            "/api/agent/v1/commands", "/api/agent/v1/commands/{id}/ack", "/api/agent/v1/commands/{id}/result",
            "/api/operator/v1/sites", "/api/operator/v1/sites/{siteId}/meters.csv", "/api/operator/v1/agents/{agentId}/commands",
        }));
        var upload = openApi.RootElement.GetProperty("paths").GetProperty("/api/agent/v1/batches/{batchId}").GetProperty("put");
        Assert.That(upload.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/zip", out _), Is.True);

        var xsd = await anonymous.GetStringAsync("/schemas/readings.xsd");
        Assert.That(xsd, Does.Contain("targetNamespace=\"urn:onestoppi:readings:1\""));
    }

    [Test]
    public async Task The_web_pages_need_a_sign_in_and_then_show_sites_agents_devices_and_history_on_a_phone()
    {
        var (site, agent) = await _server.SiteWithAgentAsync("<script>alert(1)</script> Dental");
        using (var heartbeat = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.0", 60, null, null, 4, 0, "WEB7-KEY2-SETU-P3AB", StageRestarts: 2, OutboxFull: true, ClockSource: ClockSources.Portal)))
        {
            Assert.That(heartbeat.IsSuccessStatusCode, Is.True);
        }

        var zip1 = Zip(Scan(agent.Id, site.SiteId, Morning, Device("10.9.0.1", "WEB001", "00:17:c8:09:00:01", [("total", 4321), ("mono", 4000), ("colour", 321)], [("black", 37)])));
        var zip2 = Zip(Scan(agent.Id, site.SiteId, Morning.AddDays(1), Device("10.9.0.1", "WEB001", "00:17:c8:09:00:01", [("total", 4400), ("mono", 4070), ("colour", 330)], [("black", 35)])));
        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), zip1)).Dispose();
        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), zip2)).Dispose();

        var cookies = new CookieContainer();
        var handler = new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        var pin = _server.CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString(HashAlgorithmName.SHA256) == pin;
        using var browser = new HttpClient(handler) { BaseAddress = _server.BaseAddress };

        using (var anonymous = await browser.GetAsync($"/sites/{site.SiteId}"))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(anonymous.Headers.Location?.ToString(), Is.EqualTo("/login"));
        }

        using (var wrong = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", agent.Token)])))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "an agent token does not sign in");
        }

        using (var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", _server.OperatorToken)])))
        {
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            var cookie = login.Headers.GetValues("Set-Cookie").Single();
            Assert.That(cookie, Does.Contain("httponly").IgnoreCase.And.Contain("samesite=strict").IgnoreCase.And.Contain("secure").IgnoreCase);
            Assert.That(cookie, Does.Not.Contain(_server.OperatorToken));
        }

        var sites = await browser.GetStringAsync("/");
        Assert.That(sites, Does.Contain("<meta name=viewport content=\"width=device-width, initial-scale=1\">"));
        Assert.That(sites, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt; Dental").And.Not.Contain("<script>alert(1)"));

        using var sitePage = await browser.GetAsync($"/sites/{site.SiteId}");
        Assert.That(sitePage.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'none'"));
        var siteHtml = await sitePage.Content.ReadAsStringAsync();
        Assert.That(siteHtml, Does.Contain("WEB001").And.Contain("4,400").And.Contain("black 35%").And.Contain(agent.Id.ToString()));

        var deviceId = (await _server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{site.SiteId}/devices"))!.Single().Id;
        var history = await browser.GetStringAsync($"/devices/{deviceId}");
        Assert.That(history.IndexOf("4,400", StringComparison.Ordinal), Is.LessThan(history.IndexOf("4,321", StringComparison.Ordinal)).And.GreaterThan(0),
            "newest first, both readings listed");

        var agents = await browser.GetStringAsync("/agents");
        Assert.That(agents, Does.Contain(agent.Id.ToString()).And.Contain("Setup key").And.Contain("WEB7-KEY2-SETU-P3AB"), "the technician reads the setup key here");
        Assert.That(agents, Does.Contain("<span class=bad>4 full</span>").And.Contain("<td class=n data-l=Restarts><span class=warn>2</span>")
            .And.Contain("<td data-l=Clock><span class=warn>portal</span>"), "a full outbox, restarted stages and a clock without NTP stand out");
        var css = await browser.GetStringAsync("/static/site.css");
        Assert.That(css, Does.Contain(".w35{width:35%}"));
    }

    [Test]
    public async Task The_cli_drives_the_operator_api()
    {
        string[] common = ["--portal", _server.BaseAddress.ToString(), "--token", _server.OperatorToken, "--cert-sha256", _server.CertificateSha256];
        var (code, output, error) = await CliAsync(["site", "create", "--name", "Cli Customer", "--timezone", "Europe/London", .. common]);
        Assert.That(code, Is.Zero, error);
        var created = JsonSerializer.Deserialize(output, PortalJsonContext.Default.SiteCreated)!;
        Assert.That(created.Name, Is.EqualTo("Cli Customer"));

        var agent = await _server.EnrolAsync(created);
        (code, _, error) = await CliAsync(["agent", "assign", "--agent", agent.Id.ToString(), "--site", created.SiteId.ToString(), .. common]);
        Assert.That(code, Is.Zero, error);

        (code, output, error) = await CliAsync(["site", "configure", "--site", created.SiteId.ToString(), "--range", "10.5.0.0/24", "--range", "10.6.0.1-10.6.0.50",
            "--community", "cli-community", "--v3-user", "cliuser:SHA256:authpassword1:AES:privpassword1", "--meter-times", "18:00,07:15", "--poll-interval", "0", .. common]);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Not.Contain("cli-community").And.Not.Contain("authpassword1"), "the CLI never prints credentials");
        var config = await agent.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.That(config!.Ranges, Is.EqualTo(new[] { "10.5.0.0/24", "10.6.0.1-10.6.0.50" }));
        Assert.That(config.Snmp.V3Users.Single(), Is.EqualTo(new SnmpV3User("cliuser", "SHA256", "authpassword1", "AES", "privpassword1", null)));
        Assert.That(config.Schedule with { MeterTimes = null }, Is.EqualTo(new ScheduleConfig("07:15", "Europe/London", 15, 0)));
        Assert.That(config.Schedule.MeterTimes, Is.EqualTo(new[] { "07:15", "18:00" }));

        (code, output, error) = await CliAsync(["command", "queue", "--agent", agent.Id.ToString(), "--type", "6", "--parameter", "10.5.0.9", .. common]);
        Assert.That(code, Is.Zero, error);
        Assert.That((await agent.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands"))!.Single().Parameter, Is.EqualTo("10.5.0.9"));

        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(),
            Zip(Scan(agent.Id, created.SiteId, Morning, Device("10.5.0.9", "CLI9", "00:17:c8:05:00:09", [("total", 777)], [("black", 12)]))))).Dispose();
        (code, output, error) = await CliAsync(["device", "list", "--site", created.SiteId.ToString(), .. common]);
        Assert.That(code, Is.Zero, error);
        var devices = JsonSerializer.Deserialize(output, PortalJsonContext.Default.DeviceViewArray)!;
        Assert.That(devices.Single().Counters.Single().Value, Is.EqualTo(777));

        var csvFile = Path.Combine(Path.GetTempPath(), $"meters-{Guid.NewGuid():N}.csv");
        (code, _, error) = await CliAsync(["export", "meters", "--site", created.SiteId.ToString(), "-o", csvFile, .. common]);
        Assert.That(code, Is.Zero, error);
        var csv = await File.ReadAllLinesAsync(csvFile);
        File.Delete(csvFile);
        Assert.That(csv[1], Does.StartWith($"{created.SiteId},Cli Customer,").And.Contain(",CLI9,").And.EndWith(",777"));

        (code, _, error) = await CliAsync(["site", "list", "--portal", _server.BaseAddress.ToString(), "--token", agent.Token, "--cert-sha256", _server.CertificateSha256]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("401"));
        (code, _, error) = await CliAsync(["site", "list", "--portal", _server.BaseAddress.ToString(), "--token", _server.OperatorToken]);
        Assert.That(code, Is.EqualTo(1), "an unpinned self-signed certificate is not trusted");
    }

    private static async Task<(int Code, string Output, string Error)> CliAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
