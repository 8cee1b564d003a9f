using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Security;
using OneStopPi.Portal.Tests.Support;

namespace OneStopPi.Portal.Tests;

/// <summary>
/// A dealer's portal as several processes on one PostgreSQL database: each has its own data directory and its
/// own in-memory key ring, and only the key ring in the database (with the key-encryption certificate every
/// process is given) lets one read what the other protected. Before, the ring was files in each data directory.
/// </summary>
[TestFixture]
public sealed class SharedKeyRingTests
{
    private readonly PostgresTestDatabase _database = new();
    private DirectoryInfo _shared = null!;
    private PortalServer _first = null!;
    private PortalServer _second = null!;

    [OneTimeSetUp]
    public async Task StartTwoPortalsAsync()
    {
        _shared = Directory.CreateTempSubdirectory("onestoppi-keyring-test-");
        var pfx = Path.Combine(_shared.FullName, "key-encryption.pfx");
        using (var certificate = PortalKeyRing.CreateKeyEncryptionCertificate())
        {
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12));
        }

        var settings = new Dictionary<string, string?> { ["Portal:KeyEncryptionCertificatePath"] = pfx };
        _first = await _database.StartServerAsync(settings);
        _second = await _database.StartAnotherServerAsync(_first.OperatorToken, settings);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _database.DropAsync();
        _shared.Delete(recursive: true);
    }

    [Test]
    public async Task Credentials_and_setup_keys_one_portal_protects_the_other_serves_both_ways()
    {
        var v3 = new SnmpV3User("fleetreader", "SHA256", "auth-pass-5521", "AES", "priv-pass-7730", null);
        var (site, agent) = await _first.SiteWithAgentAsync("Stored on the first");
        await ConfigureAsync(_first, site.SiteId, new SiteConfigUpdate(null, null, ["community-8812"], [v3], null, null, null, null, null));
        using (var heartbeat = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.0", 60, null, null, 0, 0, "KR7A-KEY2-SETU-P9XZ")))
        {
            Assert.That(heartbeat.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var viaSecond = _second.CreateClient(agent.Token, agent.Id);
        var config = await viaSecond.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.That(config!.Snmp.Communities, Is.EqualTo(new[] { "community-8812" }), "the second portal decrypts what the first stored");
        Assert.That(config.Snmp.V3Users, Is.EqualTo(new[] { v3 }));
        var agents = await _second.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents");
        Assert.That(agents!.Single(a => a.Id == agent.Id).SetupKey, Is.EqualTo("KR7A-KEY2-SETU-P9XZ"));

        // And the other way round: stored through the second, served by the first.
        var (other, otherAgent) = await _second.SiteWithAgentAsync("Stored on the second");
        await ConfigureAsync(_second, other.SiteId, new SiteConfigUpdate(null, null, ["community-3390"], null, null, null, null, null, null));
        var viaFirst = _first.CreateClient(otherAgent.Token, otherAgent.Id);
        var otherConfig = await viaFirst.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.That(otherConfig!.Snmp.Communities, Is.EqualTo(new[] { "community-3390" }));
    }

    [Test]
    public async Task A_session_signed_in_on_one_portal_is_valid_on_the_other()
    {
        using var firstBrowser = Browser(_first);
        using var login = await firstBrowser.PostAsync("/login", new FormUrlEncodedContent([new("token", _first.OperatorToken)]));
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var secondBrowser = Browser(_second);
        using (var anonymous = await secondBrowser.GetAsync("/agents"))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "without the cookie: the sign-in page");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/agents");
        request.Headers.Add("Cookie", cookie);
        using var page = await secondBrowser.SendAsync(request);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the second portal accepts the first's session cookie");
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Setup key"));
    }

    [Test]
    public async Task The_key_ring_is_in_the_database_with_its_secrets_encrypted_and_not_in_any_data_directory()
    {
        // Make sure a key exists (the first protect creates it).
        var site = await _first.CreateSiteAsync("Key ring");
        await ConfigureAsync(_first, site.SiteId, new SiteConfigUpdate(null, null, ["community-1177"], null, null, null, null, null, null));

        var keys = await _first.DbAsync(db => ((NpgsqlPortalDbContext)db).DataProtectionKeys.AsNoTracking().ToListAsync());
        Assert.That(keys, Is.Not.Empty);
        foreach (var key in keys)
        {
            Assert.That(key.Xml, Does.Contain("EncryptedData"), "the key's secret is wrapped with the key-encryption certificate");
            Assert.That(key.Xml, Does.Not.Contain("<value>"), "no master key in the clear");
        }

        foreach (var server in new[] { _first, _second })
        {
            var keysDirectory = Path.Combine(server.DataDirectory, "keys");
            Assert.That(!Directory.Exists(keysDirectory) || Directory.GetFiles(keysDirectory).Length == 0, Is.True, keysDirectory);
        }
    }

    private static async Task ConfigureAsync(PortalServer server, int siteId, SiteConfigUpdate update)
    {
        using var response = await server.Operator.PatchAsJsonAsync($"/api/operator/v1/sites/{siteId}/config", update);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static HttpClient Browser(PortalServer server)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        var pin = server.CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString(HashAlgorithmName.SHA256) == pin;
        return new HttpClient(handler) { BaseAddress = server.BaseAddress };
    }
}
