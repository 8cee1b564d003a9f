using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Tests.Support;

namespace OneStopPi.Portal.Tests;

/// <summary>
/// Releases and remote upgrade on the real portal: a signed upload is stored, an unsigned or wrongly signed
/// one is refused with nothing stored; an upgrade is queued for an agent or a whole site with every
/// architecture's package in its parameter; agents download the package; the agent list shows the outcome.
/// Runs once per database (<see cref="SqliteReleaseTests"/>, <see cref="PostgresReleaseTests"/>).
/// </summary>
public abstract class ReleaseContractTests
{
    private readonly ECDsa _trusted = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private DirectoryInfo _keys = null!;

    private protected PortalServer Server { get; private set; } = null!;

    private protected abstract Task<PortalServer> StartServerAsync(IDictionary<string, string?> settings);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _keys = Directory.CreateTempSubdirectory("osp-release-keys-");
        await File.WriteAllTextAsync(Path.Combine(_keys.FullName, "dealer.pem"), _trusted.ExportSubjectPublicKeyInfoPem());
        // A file that is not a key: logged and ignored, not fatal.
        await File.WriteAllTextAsync(Path.Combine(_keys.FullName, "broken.pem"), "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n");
        Server = await StartServerAsync(new Dictionary<string, string?> { ["Portal:ReleaseKeysDirectory"] = _keys.FullName });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        _trusted.Dispose();
        _stranger.Dispose();
        _keys?.Delete(recursive: true);
    }

    /// <summary>Bytes that start like a .deb (an ar archive whose first member is debian-binary), different each call.</summary>
    private static byte[] Deb(string version, string architecture) =>
        [.. Encoding.ASCII.GetBytes("!<arch>\ndebian-binary   "), .. Encoding.ASCII.GetBytes($"{version} {architecture} {Guid.NewGuid()}"), .. RandomNumberGenerator.GetBytes(4096)];

    private byte[] Sign(byte[] content, ECDsa? key = null) => (key ?? _trusted).SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    private static string NewVersion() => $"9.{RandomNumberGenerator.GetInt32(1, 100000)}.{RandomNumberGenerator.GetInt32(1, 100000)}";

    private async Task<HttpResponseMessage> UploadAsync(string version, string architecture, byte[] deb, byte[]? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/operator/v1/releases/{version}/{architecture}") { Content = new ByteArrayContent(deb) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ReleaseEndpoints.DebContentType);
        if (signature is not null)
        {
            request.Headers.Add(ReleaseEndpoints.SignatureHeader, Convert.ToBase64String(signature));
        }

        return await Server.Operator.SendAsync(request);
    }

    private async Task<ReleaseView> UploadSignedAsync(string version, string architecture, byte[] deb)
    {
        using var response = await UploadAsync(version, architecture, deb, Sign(deb));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReleaseView>())!;
    }

    private async Task AssertNothingStoredAsync(string version, byte[] deb)
    {
        Assert.That(await Server.DbAsync(db => db.Releases.CountAsync(r => r.Version == version)), Is.Zero, "no release row");
        var releases = Path.Combine(Server.DataDirectory, "releases");
        Assert.That(File.Exists(Path.Combine(releases, Convert.ToHexStringLower(SHA256.HashData(deb)) + ".deb")), Is.False, "no package file");
        Assert.That(Directory.Exists(releases) ? Directory.GetFiles(releases, "*.tmp") : [], Is.Empty, "no upload left behind");
    }

    [Test]
    public async Task A_signed_upload_is_stored_listed_and_accepted_again_when_identical()
    {
        var version = NewVersion();
        var deb = Deb(version, "arm64");

        var view = await UploadSignedAsync(version, "arm64", deb);

        Assert.That(view, Has.Property("Version").EqualTo(version).And.Property("Architecture").EqualTo("arm64")
            .And.Property("Size").EqualTo(deb.Length).And.Property("Sha256").EqualTo(Convert.ToHexStringLower(SHA256.HashData(deb))));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(Server.DataDirectory, "releases", view.Sha256 + ".deb")), Is.EqualTo(deb));
        var listed = await Server.Operator.GetFromJsonAsync<ReleaseView[]>("/api/operator/v1/releases");
        Assert.That(listed!.Where(r => r.Version == version), Is.EqualTo(new[] { view }));

        using var again = await UploadAsync(version, "arm64", deb, Sign(deb));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same upload again is not an error");
        var other = Deb(version, "arm64");
        using var replaced = await UploadAsync(version, "arm64", other, Sign(other));
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a release is never replaced");
    }

    [Test]
    public async Task An_unsigned_upload_is_refused_and_nothing_is_stored()
    {
        var version = NewVersion();
        var deb = Deb(version, "arm64");

        using var response = await UploadAsync(version, "arm64", deb, signature: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(ReleaseEndpoints.SignatureHeader));
        await AssertNothingStoredAsync(version, deb);
    }

    [Test]
    public async Task An_upload_whose_signature_is_for_other_content_is_refused_and_nothing_is_stored()
    {
        var version = NewVersion();
        var deb = Deb(version, "arm64");

        using var response = await UploadAsync(version, "arm64", deb, Sign(Deb(version, "arm64")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("does not match").And.Contain("dealer.pem"));
        await AssertNothingStoredAsync(version, deb);
    }

    [Test]
    public async Task An_upload_signed_with_a_key_the_portal_does_not_trust_is_refused_and_nothing_is_stored()
    {
        var version = NewVersion();
        var deb = Deb(version, "amd64");

        using var response = await UploadAsync(version, "amd64", deb, Sign(deb, _stranger));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        await AssertNothingStoredAsync(version, deb);
    }

    [Test]
    public async Task An_upload_that_is_not_a_debian_package_is_refused()
    {
        var version = NewVersion();
        var notDeb = RandomNumberGenerator.GetBytes(2048);

        using var response = await UploadAsync(version, "arm64", notDeb, Sign(notDeb));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await AssertNothingStoredAsync(version, notDeb);
    }

    [Test]
    public async Task An_upgrade_for_an_agent_carries_every_architecture_and_the_agent_downloads_its_package()
    {
        var (_, agent) = await Server.SiteWithAgentAsync("Upgrade One");
        var version = NewVersion();
        var arm = Deb(version, "arm64");
        var amd = Deb(version, "amd64");
        await UploadSignedAsync(version, "arm64", arm);
        await UploadSignedAsync(version, "amd64", amd);

        using var queued = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/agents/{agent.Id}/upgrade", new UpgradeRequest(version));

        Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.Created), await queued.Content.ReadAsStringAsync());
        var command = (await queued.Content.ReadFromJsonAsync<CommandView>())!;
        Assert.That(command, Has.Property("Type").EqualTo(7).And.Property("TypeName").EqualTo("upgrade").And.Property("State").EqualTo("queued"));
        var polled = (await agent.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands"))!.Single(c => c.Id == command.Id);
        var parameter = JsonSerializer.Deserialize(polled.Parameter!, ContractsJsonContext.Default.UpgradeParameter)!;
        Assert.Multiple(() =>
        {
            Assert.That(parameter.Version, Is.EqualTo(version));
            Assert.That(parameter.AllowDowngrade, Is.False);
            Assert.That(parameter.Packages.Select(p => p.Architecture), Is.EqualTo(new[] { "amd64", "arm64" }));
            var armPackage = parameter.Packages.Single(p => p.Architecture == "arm64");
            Assert.That(armPackage.Size, Is.EqualTo(arm.Length));
            Assert.That(armPackage.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(arm))));
            Assert.That(_trusted.VerifyData(arm, Convert.FromBase64String(armPackage.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
        });

        Assert.That(await agent.Client.GetByteArrayAsync($"/api/agent/v1/releases/{version}/arm64"), Is.EqualTo(arm));
        using var missing = await agent.Client.GetAsync($"/api/agent/v1/releases/{version}/armhf");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var anonymous = Server.CreateClient();
        using var refused = await anonymous.GetAsync($"/api/agent/v1/releases/{version}/arm64");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "only enrolled agents download releases");
    }

    [Test]
    public async Task An_upgrade_for_a_site_queues_one_command_per_assigned_agent()
    {
        var (site, first) = await Server.SiteWithAgentAsync("Upgrade Site");
        var second = await Server.EnrolAsync(site);
        await Server.AssignAsync(second, site.SiteId);
        var (_, elsewhere) = await Server.SiteWithAgentAsync("Not This Site");
        var version = NewVersion();
        await UploadSignedAsync(version, "arm64", Deb(version, "arm64"));

        using var queued = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/sites/{site.SiteId}/upgrade", new UpgradeRequest(version, AllowDowngrade: true));

        Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.Created), await queued.Content.ReadAsStringAsync());
        var commands = (await queued.Content.ReadFromJsonAsync<CommandView[]>())!;
        Assert.That(commands.Select(c => c.AgentId).Order(), Is.EqualTo(new[] { first.Id, second.Id }.Order()));
        Assert.That(commands.All(c => c.Type == 7 && c.Parameter!.Contains("\"allowDowngrade\":true", StringComparison.Ordinal)), Is.True);
        Assert.That(await elsewhere.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands"), Is.Empty);

        using var unknown = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/sites/{site.SiteId}/upgrade", new UpgradeRequest(NewVersion()));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no such release");
        using var generic = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/agents/{first.Id}/commands", new QueueCommandRequest(7, "{}"));
        Assert.That(generic.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "an upgrade's parameter is the portal's to write");
    }

    [Test]
    public async Task The_agent_list_shows_each_agents_version_and_its_upgrade_outcome()
    {
        var (_, agent) = await Server.SiteWithAgentAsync("Upgrade Outcome");
        var version = NewVersion();
        await UploadSignedAsync(version, "arm64", Deb(version, "arm64"));
        using var heartbeat = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.1.0", 60, null, null, 0, 0));
        Assert.That(heartbeat.IsSuccessStatusCode, Is.True);
        using var queued = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/agents/{agent.Id}/upgrade", new UpgradeRequest(version));
        var command = (await queued.Content.ReadFromJsonAsync<CommandView>())!;

        Assert.That(await UpgradeShownAsync(agent.Id), Is.EqualTo($"{version} queued"));
        using (var ack = await agent.Client.PostAsync($"/api/agent/v1/commands/{command.Id}/ack", null))
        {
            Assert.That(ack.IsSuccessStatusCode, Is.True);
        }

        Assert.That(await UpgradeShownAsync(agent.Id), Is.EqualTo($"upgrading to {version}"));
        var reason = $"rolled back: version {version} did not reach the portal within 5 minutes; 0.1.0 is installed again";
        using (var done = await agent.Client.PostAsJsonAsync($"/api/agent/v1/commands/{command.Id}/complete", new CommandOutcome(false, reason)))
        {
            Assert.That(done.IsSuccessStatusCode, Is.True);
        }

        var view = (await Server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!.Single(a => a.Id == agent.Id);
        Assert.That(view.Version, Is.EqualTo("0.1.0"));
        Assert.That(view.Upgrade, Is.EqualTo(reason));
        var commands = await Server.Operator.GetFromJsonAsync<CommandView[]>($"/api/operator/v1/agents/{agent.Id}/commands");
        Assert.That(commands!.Single(c => c.Id == command.Id), Has.Property("State").EqualTo("failed").And.Property("Message").EqualTo(reason));

        // The web page a technician reads: version and the rollback, marked as bad.
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var pin = Server.CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString(HashAlgorithmName.SHA256) == pin;
        using var browser = new HttpClient(handler) { BaseAddress = Server.BaseAddress };
        using (var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", Server.OperatorToken)])))
        {
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        var page = await browser.GetStringAsync("/agents");
        Assert.That(page, Does.Contain("<th>Upgrade</th>").And.Contain($"<td data-l=Upgrade class=bad>rolled back: version {version} did not reach the portal"));
    }

    [Test]
    public async Task The_cli_uploads_a_signed_release_refuses_a_wrongly_signed_one_and_queues_an_upgrade()
    {
        var (_, agent) = await Server.SiteWithAgentAsync("Upgrade Cli");
        var version = NewVersion();
        var directory = Directory.CreateTempSubdirectory("osp-release-cli-");
        try
        {
            var deb = Path.Combine(directory.FullName, $"onestoppi_{version}_arm64.deb");
            var content = Deb(version, "arm64");
            await File.WriteAllBytesAsync(deb, content);
            await File.WriteAllBytesAsync(deb + ".sig", Sign(content, _stranger));
            string[] common = ["--portal", Server.BaseAddress.ToString(), "--token", Server.OperatorToken, "--cert-sha256", Server.CertificateSha256];

            var (code, _, error) = await CliAsync(["release", "upload", "--version", version, "--architecture", "arm64", "--file", deb, .. common]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("422").And.Contain("does not match"));

            await File.WriteAllBytesAsync(deb + ".sig", Sign(content));
            (code, var output, error) = await CliAsync(["release", "upload", "--version", version, "--architecture", "arm64", "--file", deb, .. common]);
            Assert.That(code, Is.Zero, error);
            Assert.That(JsonSerializer.Deserialize(output, PortalJsonContext.Default.ReleaseView)!.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(content))));

            (code, output, error) = await CliAsync(["release", "upgrade", "--version", version, "--agent", agent.Id.ToString(), .. common]);
            Assert.That(code, Is.Zero, error);
            var command = JsonSerializer.Deserialize(output, PortalJsonContext.Default.CommandView)!;
            Assert.That(command.Type, Is.EqualTo(7));
            Assert.That((await agent.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands"))!.Single().Id, Is.EqualTo(command.Id));

            (code, output, error) = await CliAsync(["release", "list", .. common]);
            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain(version));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(int Code, string Output, string Error)> CliAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await OneStopPi.Portal.Cli.PortalCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string?> UpgradeShownAsync(Guid agentId) =>
        (await Server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!.Single(a => a.Id == agentId).Upgrade;
}

[TestFixture]
public sealed class SqliteReleaseTests : ReleaseContractTests
{
    private protected override Task<PortalServer> StartServerAsync(IDictionary<string, string?> settings) => PortalServer.StartAsync(settings);
}

[TestFixture]
public sealed class PostgresReleaseTests : ReleaseContractTests
{
    private readonly PostgresTestDatabase _database = new();

    private protected override Task<PortalServer> StartServerAsync(IDictionary<string, string?> settings) => _database.StartServerAsync(settings);

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database.DropAsync();
}
