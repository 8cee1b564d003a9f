using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Hosting;

namespace OneStopPi.Portal.Security;

/// <summary>
/// Where the Data Protection key ring lives (it protects the SNMP credentials, the agents' setup keys and the
/// web session cookie). On SQLite the portal is one process with one data directory: the ring is files in
/// <see cref="PortalOptions.ResolvedKeysDirectory"/>. On PostgreSQL several portal processes may share the
/// database, so the ring is a table of it (DataProtectionKeys) that every process reads; each key's secret
/// there is encrypted to the key-encryption certificate (RSA, a file every process is given), so a database
/// dump alone still reveals no credential.
/// </summary>
internal static class PortalKeyRing
{
    public const string ApplicationName = "OneStopPi.Portal";

    /// <returns>The generated key-encryption certificate's path when the portal made one (PostgreSQL, none configured).</returns>
    public static string? AddPortalKeyRing(this IServiceCollection services, PortalOptions options)
    {
        var builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (!options.IsPostgres)
        {
            PrivateFiles.CreateDirectory(options.ResolvedKeysDirectory);
            builder.PersistKeysToFileSystem(new DirectoryInfo(options.ResolvedKeysDirectory));
            return null;
        }

        var (certificate, generated) = LoadKeyEncryptionCertificate(options);
        builder.PersistKeysToDbContext<NpgsqlPortalDbContext>()
            .ProtectKeysWithCertificate(certificate)
            .UnprotectKeysWithAnyCertificate(certificate);
        return generated;
    }

    /// <summary>The configured PFX, or one the portal creates at first start in the data directory (mode 0600).</summary>
    public static (X509Certificate2 Certificate, string? GeneratedPath) LoadKeyEncryptionCertificate(PortalOptions options)
    {
        if (options.KeyEncryptionCertificatePath is { } path)
        {
            return (X509CertificateLoader.LoadPkcs12FromFile(path, options.KeyEncryptionCertificatePassword, X509KeyStorageFlags.Exportable), null);
        }

        var generated = options.GeneratedKeyEncryptionCertificateFile;
        if (!File.Exists(generated))
        {
            using var created = CreateKeyEncryptionCertificate();
            using var file = PrivateFiles.Create(generated, FileMode.CreateNew);
            file.Write(created.Export(X509ContentType.Pkcs12));
        }

        return (X509CertificateLoader.LoadPkcs12FromFile(generated, null, X509KeyStorageFlags.Exportable), generated);
    }

    /// <summary>RSA 3072 (XML encryption wraps keys with RSA-OAEP; ECDSA cannot), valid for 30 years: it only wraps keys at rest.</summary>
    public static X509Certificate2 CreateKeyEncryptionCertificate()
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest("CN=OneStopPi portal key encryption", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(30));
    }
}
