using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OneStopPi.Agent.Configuration;

namespace OneStopPi.Agent.Portal;

/// <summary>
/// The HTTP handler towards the portal: TLS 1.2 or 1.3 only, the certificate always validated —
/// by the system's CAs, or by a dealer's own CA file, or by a pinned public key. There is no
/// "accept all".
/// </summary>
public static class PortalHttpHandler
{
    public static SocketsHttpHandler Create(AgentSettings settings)
    {
        X509Certificate2Collection? customRoots = null;
        if (!string.IsNullOrEmpty(settings.CaFile))
        {
            customRoots = [];
            customRoots.ImportFromPemFile(settings.CaFile);
            if (customRoots.Count == 0)
            {
                throw new InvalidOperationException($"The CA file {settings.CaFile} holds no certificate.");
            }
        }

        byte[]? pin = string.IsNullOrWhiteSpace(settings.PinnedPublicKeySha256) ? null : Convert.FromHexString(settings.PinnedPublicKeySha256.Replace(":", "", StringComparison.Ordinal));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(20),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = settings.Proxy is not null,
            Proxy = settings.Proxy is null ? null : new WebProxy(settings.Proxy),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors, customRoots, pin),
            },
        };
        return handler;
    }

    internal static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? customRoots, byte[]? pin)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (pin is not null && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(leaf.PublicKey.ExportSubjectPublicKeyInfo()), pin))
        {
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (customRoots is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(customRoots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (X509ChainElement element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(leaf);
        }

        // A pinned key vouches for the certificate on its own: private PKI without a CA file.
        return pin is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0;
    }
}
