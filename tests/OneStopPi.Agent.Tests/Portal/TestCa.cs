using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>A CA made for one fixture: its certificate (with key) issues server certificates and sub-CAs.</summary>
internal sealed class TestCa : IDisposable
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TestCa(X509Certificate2 certificate) => Certificate = certificate;

    public X509Certificate2 Certificate { get; }

    public static TestCa Create(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = CaRequest(subject, key);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return new TestCa(request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30)));
    }

    public TestCa IssueSubCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = CaRequest(subject, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 issued = request.Create(Certificate, now.AddDays(-20), now.AddDays(20), Serial());
        return new TestCa(issued.CopyWithPrivateKey(key));
    }

    public X509Certificate2 Issue(IPAddress address, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, Oid? usage = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage ?? ServerAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 issued = request.Create(Certificate, notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(2), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose() => Certificate.Dispose();

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(12);
}
