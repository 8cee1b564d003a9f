using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>
/// The dealer's own CA (<c>caFile</c>) end to end: a private root made here, server certificates for
/// 127.0.77.1 signed by it (or not), a real TLS handshake through <see cref="PortalHttpHandler"/>.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class PortalCaFileTests
{
    private DirectoryInfo _directory = null!;
    private TestCa _dealer = null!;
    private TestCa _stranger = null!;
    private string _caFile = null!;

    [OneTimeSetUp]
    public void CreateCas()
    {
        _directory = Directory.CreateTempSubdirectory("onestoppi-cafile-test-");
        _dealer = TestCa.Create("CN=OneStopPi test dealer CA");
        _stranger = TestCa.Create("CN=OneStopPi test stranger CA");
        _caFile = Path.Combine(_directory.FullName, "dealer-ca.pem");
        File.WriteAllText(_caFile, _dealer.Certificate.ExportCertificatePem());
    }

    [OneTimeTearDown]
    public void RemoveCas()
    {
        _dealer.Dispose();
        _stranger.Dispose();
        _directory.Delete(recursive: true);
    }

    [Test]
    public async Task A_server_certificate_from_the_dealers_CA_is_trusted_with_caFile()
    {
        using var leaf = _dealer.Issue(TlsTestServer.Address);
        await using var server = TlsTestServer.Start(leaf);
        using var http = new HttpClient(PortalHttpHandler.Create(Settings(server, _caFile)));

        Assert.That(await http.GetStringAsync(server.Url), Is.EqualTo("ok"));
        Assert.That(server.Negotiated, Is.EqualTo(SslProtocols.Tls12).Or.EqualTo(SslProtocols.Tls13));
    }

    [Test]
    public async Task An_intermediate_sent_by_the_server_links_the_leaf_to_the_dealers_root()
    {
        using TestCa subCa = _dealer.IssueSubCa("CN=OneStopPi test dealer sub-CA");
        using var leaf = subCa.Issue(TlsTestServer.Address);
        await using var server = TlsTestServer.Start(leaf, [subCa.Certificate]);
        using var http = new HttpClient(PortalHttpHandler.Create(Settings(server, _caFile)));

        Assert.That(await http.GetStringAsync(server.Url), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Without_caFile_the_dealers_certificate_is_refused_as_an_authentication_error()
    {
        using var leaf = _dealer.Issue(TlsTestServer.Address);
        await using var server = TlsTestServer.Start(leaf);
        using var http = new HttpClient(PortalHttpHandler.Create(Settings(server, caFile: null)));

        var refused = Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(server.Url));
        Assert.That(refused!.HttpRequestError, Is.EqualTo(HttpRequestError.SecureConnectionError));
        Assert.That(refused.InnerException, Is.InstanceOf<AuthenticationException>());
    }

    [Test]
    public async Task Without_caFile_the_portal_client_reports_the_portal_unavailable()
    {
        using var leaf = _dealer.Issue(TlsTestServer.Address);
        await using var server = TlsTestServer.Start(leaf);
        var client = new PortalClient(new HttpClient(PortalHttpHandler.Create(Settings(server, caFile: null))));

        // What the agent logs ("portal unavailable (enrolment): …") and retries later.
        var refused = Assert.ThrowsAsync<PortalUnavailableException>(() =>
            client.EnrolAsync(server.Url, new EnrolRequest("key", "hw", "b8:27:eb:00:00:01", "pi", "0.1.0"), CancellationToken.None));
        Assert.That(refused!.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(refused.Message, Does.Contain("/api/agent/v1/enrol"));
        // The log line is the message alone: it must say why, not "see inner exception".
        Assert.That(refused.Message, Does.Contain("certificate was rejected"));
        Assert.That(refused.Message, Does.Not.Contain("see inner exception"));
    }

    [Test]
    public async Task A_certificate_from_another_CA_is_refused_even_with_caFile()
    {
        using var leaf = _stranger.Issue(TlsTestServer.Address);
        await AssertRefusedWithCaFileAsync(leaf);
    }

    [Test]
    public async Task A_self_signed_certificate_with_the_dealers_CA_name_is_refused()
    {
        // Same subject as the dealer's root, different key: a chain that matches by name only.
        using TestCa impostor = TestCa.Create(_dealer.Certificate.Subject);
        using var leaf = impostor.Issue(TlsTestServer.Address);
        await AssertRefusedWithCaFileAsync(leaf, [impostor.Certificate]);
    }

    [Test]
    public async Task An_expired_certificate_from_the_dealers_CA_is_refused()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using var leaf = _dealer.Issue(TlsTestServer.Address, notBefore: now.AddDays(-10), notAfter: now.AddDays(-1));
        await AssertRefusedWithCaFileAsync(leaf);
    }

    [Test]
    public async Task A_certificate_from_the_dealers_CA_for_another_address_is_refused()
    {
        using var leaf = _dealer.Issue(IPAddress.Parse("127.0.77.2"));
        await AssertRefusedWithCaFileAsync(leaf);
    }

    [Test]
    public async Task A_client_certificate_from_the_dealers_CA_is_refused_as_a_server_certificate()
    {
        // The dealer's CA may also issue client certificates (to boxes, to staff): the system-CA path
        // requires the server-auth usage, and so must the caFile path.
        using var leaf = _dealer.Issue(TlsTestServer.Address, usage: TestCa.ClientAuth);
        await AssertRefusedWithCaFileAsync(leaf);
    }

    [Test]
    public void A_CA_file_without_a_certificate_is_refused_with_a_clear_error()
    {
        string empty = Path.Combine(_directory.FullName, "empty.pem");
        File.WriteAllText(empty, "not a PEM certificate\n");

        var refused = Assert.Throws<InvalidOperationException>(() => PortalHttpHandler.Create(new AgentSettings { CaFile = empty }));
        Assert.That(refused!.Message, Is.EqualTo($"The CA file {empty} holds no certificate."));
    }

    [Test]
    public void A_missing_CA_file_is_refused_with_an_error_naming_it()
    {
        string missing = Path.Combine(_directory.FullName, "no-such-ca.pem");

        var refused = Assert.Throws<FileNotFoundException>(() => PortalHttpHandler.Create(new AgentSettings { CaFile = missing }));
        Assert.That(refused!.Message, Does.Contain(missing));
    }

    /// <summary>
    /// TLS 1.1 and older are never offered. (A handshake test against a TLS 1.1 server shows nothing here:
    /// Debian's OpenSSL 3 refuses TLS 1.1 on both ends at its default security level.)
    /// </summary>
    [Test]
    public void The_handler_offers_TLS_1_2_and_1_3_only()
    {
        using SocketsHttpHandler handler = PortalHttpHandler.Create(new AgentSettings { CaFile = _caFile });

        Assert.That(handler.SslOptions.EnabledSslProtocols, Is.EqualTo(SslProtocols.Tls12 | SslProtocols.Tls13));
    }

    private async Task AssertRefusedWithCaFileAsync(X509Certificate2 leaf, X509Certificate2Collection? intermediates = null)
    {
        await using var server = TlsTestServer.Start(leaf, intermediates);
        using var http = new HttpClient(PortalHttpHandler.Create(Settings(server, _caFile)));

        var refused = Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(server.Url));
        Assert.That(refused!.InnerException, Is.InstanceOf<AuthenticationException>());
    }

    private static AgentSettings Settings(TlsTestServer server, string? caFile) => new() { PortalUrl = server.Url, CaFile = caFile };
}
