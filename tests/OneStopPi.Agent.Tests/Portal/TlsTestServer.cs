using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>
/// An HTTPS server on 127.0.77.1:&lt;ephemeral&gt; that answers every request with "200 ok": SslStream
/// over a socket rather than Kestrel, so a test chooses exactly what the server offers (its chain, its
/// TLS versions) and sees what it negotiated. One connection at a time, each bounded in time.
/// </summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.77.1");

    private readonly TcpListener _listener;
    private readonly SslStreamCertificateContext _certificate;
    private readonly SslProtocols _protocols;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TlsTestServer(X509Certificate2 certificate, X509Certificate2Collection? intermediates, SslProtocols protocols)
    {
        // The intermediates are sent in the handshake, as a portal behind a private sub-CA sends them.
        _certificate = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        _protocols = protocols;
        _listener = new TcpListener(Address, 0);
        _listener.Start();
        Url = new Uri($"https://{Address}:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>The protocol of the last handshake the server completed (None before one).</summary>
    public SslProtocols Negotiated { get; private set; }

    public static TlsTestServer Start(X509Certificate2 certificate, X509Certificate2Collection? intermediates = null, SslProtocols protocols = SslProtocols.None) =>
        new(certificate, intermediates, protocols);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                await ServeAsync(client);
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _certificate,
                EnabledSslProtocols = _protocols,
                ClientCertificateRequired = false,
            }, timeout.Token);
            Negotiated = tls.SslProtocol;

            // The request's head (the tests send GETs without a body), then one answer and close.
            var buffer = new byte[8192];
            int read = 0;
            while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int n = await tls.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    return;
                }

                read += n;
            }

            await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), timeout.Token);
            await tls.FlushAsync(timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // A client that refuses the certificate ends the handshake: that is what most tests want.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
