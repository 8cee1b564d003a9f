using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OneStopPi.Portal.Hosting;

/// <summary>
/// The HTTPS certificate: the configured PFX/PEM, or else a self-signed ECDSA P-256 one created at first
/// start in the data directory (agents pin its SHA-256, which the portal logs at start).
/// </summary>
internal static class TlsCertificate
{
    public static (X509Certificate2 Certificate, string? GeneratedPath) Load(PortalOptions options)
    {
        if (options.CertificatePath is { } path)
        {
            var certificate = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword)
                : X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath);
            return (certificate, null);
        }

        var generated = options.GeneratedCertificateFile;
        if (!File.Exists(generated))
        {
            var pfx = CreateSelfSigned(Environment.MachineName).Export(X509ContentType.Pkcs12);
            using var file = PrivateFiles.Create(generated, FileMode.CreateNew);
            file.Write(pfx);
        }

        return (X509CertificateLoader.LoadPkcs12FromFile(generated, null), generated);
    }

    /// <summary>A self-signed server certificate for localhost, the loopback addresses and <paramref name="hostName"/>.</summary>
    public static X509Certificate2 CreateSelfSigned(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(hostName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }

    public static string Sha256(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);
}
