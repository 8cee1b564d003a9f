using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using OneStopPi.Portal.Api;

namespace OneStopPi.Portal.Alerts;

/// <summary>Sends an alert event as a plain-text e-mail through the configured server, always upgraded with STARTTLS (MailKit).</summary>
internal sealed class MailSender(IOptions<AlertOptions> options)
{
    /// <exception cref="DeliveryFailedException">No server configured, or the server refused, failed TLS or did not answer.</exception>
    public async Task SendAsync(IReadOnlyList<string> to, AlertEventMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            throw new DeliveryFailedException("no SMTP server configured (Portal:Alerts:Smtp:Host)");
        }

        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var address in to)
        {
            mail.To.Add(MailboxAddress.Parse(address));
        }

        var a = message.Alert;
        mail.Subject = $"[OneStopPi] {message.Event}: {a.Site}: {(message.Event == AlertCycle.Resolved ? a.ResolvedMessage ?? a.Message : a.Message)}";
        mail.Body = new TextPart("plain")
        {
            Text = $"""
                Alert {a.Id} {message.Event} at site {a.Site} (id {a.SiteId}).

                {a.Message}
                {(a.ResolvedMessage is null ? "" : a.ResolvedMessage + "\n")}
                Kind: {a.Kind}
                First seen: {a.FirstSeenAt:yyyy-MM-dd HH:mm} UTC
                Raised: {a.RaisedAt:yyyy-MM-dd HH:mm} UTC
                {(a.ResolvedAt is { } r ? $"Resolved: {r:yyyy-MM-dd HH:mm} UTC" : "")}
                Delivery: {message.DeliveryId}
                """,
        };
        mail.Headers.Add("X-OneStopPi-Delivery", message.DeliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        if (smtp.ServerCertificateSha256 is { Length: > 0 } pin)
        {
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None
                || (certificate is not null && string.Equals(Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())), pin.Replace(":", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
        }

        try
        {
            // StartTls, not StartTlsWhenAvailable: a server that does not offer it gets no message.
            await client.ConnectAsync(smtp.Host, smtp.Port, SecureSocketOptions.StartTls, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(mail, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or System.Security.Authentication.AuthenticationException or MailKit.Security.AuthenticationException or SslHandshakeException
            or NotSupportedException or SocketException or IOException or TimeoutException or ServiceNotConnectedException or ServiceNotAuthenticatedException)
        {
            throw new DeliveryFailedException($"mail through {smtp.Host}:{smtp.Port}: {e.Message}", e);
        }
    }
}
