using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Hosting;

namespace OneStopPi.Portal.Tests.Support;

/// <summary>An enrolled agent as the tests drive it: its id, token and an HttpClient that authenticates as it.</summary>
internal sealed record TestAgent(Guid Id, string Token, HttpClient Client);

/// <summary>
/// The real portal (PortalHost, Kestrel) on https://127.0.0.1:&lt;ephemeral&gt; with a certificate this test
/// generates with CertificateRequest; clients pin that certificate. One per fixture.
/// </summary>
internal sealed class PortalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _directory;
    private readonly List<HttpClient> _clients = [];

    private PortalServer(WebApplication app, DirectoryInfo directory, string dataDirectory, Uri baseAddress, string certificateSha256, FakeTimeProvider time, string? operatorToken)
    {
        _app = app;
        _directory = directory;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
        CertificateSha256 = certificateSha256;
        Time = time;
        // A second portal on a database that already has an operator token writes no token file: the caller passes it.
        OperatorToken = operatorToken ?? File.ReadAllText(Path.Combine(dataDirectory, "operator.token")).Trim();
        Operator = CreateClient(OperatorToken);
    }

    public Uri BaseAddress { get; }

    public string CertificateSha256 { get; }

    public FakeTimeProvider Time { get; }

    public string OperatorToken { get; }

    public HttpClient Operator { get; }

    /// <summary>Under the server's own temporary directory unless the settings name one (a restart on the same data).</summary>
    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<PortalServer> StartAsync(IDictionary<string, string?>? settings = null, string? operatorToken = null)
    {
        var directory = Directory.CreateTempSubdirectory("onestoppi-portal-test-");
        var certificate = CreateTestCertificate();
        var pfx = Path.Combine(directory.FullName, "test-cert.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "https://127.0.0.1:0",
            ["Portal:DataDirectory"] = Path.Combine(directory.FullName, "data"),
            ["Portal:CertificatePath"] = pfx,
            // Every test client comes from 127.0.0.1 and a fixture shares one server: the limits are
            // off unless a test sets them (RateLimitTests).
            ["Portal:EnrolmentAttempts"] = "0",
            ["Portal:SignInAttempts"] = "0",
            ["Portal:RefusedOperatorTokens"] = "0",
            // Fake time moves only when read: a minimum gap between alert evaluations would hold them up for
            // thousands of reads. Off here; AlertServiceTests drive the gap on a FakeTimeProvider of their own.
            ["Portal:Alerts:EvaluateMinSeconds"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = PortalHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await PortalHost.InitialiseAsync(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new PortalServer(app, directory, config["Portal:DataDirectory"]!, new Uri(address), certificate.GetCertHashString(HashAlgorithmName.SHA256), time, operatorToken);
    }

    /// <summary>A self-signed server certificate for 127.0.0.1, made here (not by the portal).</summary>
    public static X509Certificate2 CreateTestCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }

    /// <param name="source">A loopback address (127.0.0.2, …) to connect from: another client address to the rate limits.</param>
    public HttpClient CreateClient(string? bearer = null, Guid? agentId = null, System.Net.IPAddress? source = null)
    {
        var handler = new SocketsHttpHandler();
        if (source is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(source.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new System.Net.IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var pin = CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == pin;
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (agentId is not null)
        {
            client.DefaultRequestHeaders.Add(AgentAuthFilter.AgentIdHeader, agentId.Value.ToString());
        }

        _clients.Add(client);
        return client;
    }

    public async Task<T> DbAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    public async Task<SiteCreated> CreateSiteAsync(string name = "Acme Ltd", string timeZone = "Europe/Berlin")
    {
        using var response = await Operator.PostAsJsonAsync("/api/operator/v1/sites", new CreateSiteRequest(name, timeZone));
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SiteCreated>())!;
    }

    public async Task<TestAgent> EnrolAsync(SiteCreated site, string? hardwareId = null, System.Net.IPAddress? source = null)
    {
        using var anonymous = CreateClient(source: source);
        using var response = await anonymous.PostAsJsonAsync("/api/agent/v1/enrol",
            new EnrolRequest(site.EnrolmentKey, hardwareId ?? $"pi-{Guid.NewGuid():N}", "b8:27:eb:12:34:56", "onestoppi-test", "0.1.0"));
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var enrolled = (await response.Content.ReadFromJsonAsync<EnrolResponse>())!;
        return new TestAgent(enrolled.AgentId, enrolled.Token, CreateClient(enrolled.Token, enrolled.AgentId, source));
    }

    public async Task AssignAsync(TestAgent agent, int siteId)
    {
        using var response = await Operator.PostAsJsonAsync($"/api/operator/v1/agents/{agent.Id}/assign", new AssignRequest(siteId));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A new site with one enrolled agent assigned to it.</summary>
    public async Task<(SiteCreated Site, TestAgent Agent)> SiteWithAgentAsync(string name = "Acme Ltd")
    {
        var site = await CreateSiteAsync(name);
        var agent = await EnrolAsync(site);
        await AssignAsync(agent, site.SiteId);
        return (site, agent);
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string batchId, byte[] zip, string contentType = "application/zip")
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.PutAsync($"/api/agent/v1/batches/{batchId}", content);
    }

    public Task<(int Batches, int Readings, int Devices)> CountsAsync(Guid agentId) => DbAsync(async db =>
    {
        var site = await db.Agents.Where(a => a.Id == agentId).Select(a => a.SiteId).SingleAsync();
        return (await db.Batches.CountAsync(b => b.AgentId == agentId),
            await db.Readings.CountAsync(r => db.Scans.Any(s => s.Id == r.ScanId && s.AgentId == agentId)),
            site is null ? 0 : await db.Devices.CountAsync(d => d.SiteId == site));
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory
        }
    }
}
