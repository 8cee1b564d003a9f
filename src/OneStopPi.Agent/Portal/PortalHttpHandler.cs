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
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

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

        byte[]? pin = string.IsNullOrWhiteSpace(settings.PinnedSha256) ? null : Convert.FromHexString(settings.PinnedSha256.Replace(":", "", StringComparison.Ordinal));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(20),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = settings.Proxy is not null,
            Proxy = settings.Proxy is null ? null : PortalProxy.Create(settings.Proxy),
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
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (pin is not null)
        {
            // A pinned certificate (its SHA-256, as the portal logs it) or public key (SPKI SHA-256, which
            // survives renewal with the same key) vouches for the server on its own: private PKI,
            // self-signed portals. A pin that does not match is refused whatever else is right.
            return CryptographicOperations.FixedTimeEquals(leaf.GetCertHash(HashAlgorithmName.SHA256), pin)
                || CryptographicOperations.FixedTimeEquals(SHA256.HashData(leaf.PublicKey.ExportSubjectPublicKeyInfo()), pin);
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (customRoots is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(customRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // What SslStream asks of the system chain: a certificate for a TLS server. The dealer's CA may
        // also issue client certificates (to boxes, to staff); none of them may stand in for the portal.
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }
}
