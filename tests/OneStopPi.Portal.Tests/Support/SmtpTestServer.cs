using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OneStopPi.TestSupport;

namespace OneStopPi.Portal.Tests.Support;

/// <summary>One message the SMTP server stored: whether its session was TLS, its envelope and its raw text.</summary>
internal sealed record ReceivedMail(bool Tls, string From, string[] To, string Raw);

/// <summary>
/// A real SMTP server (aiosmtpd, Debian python3-aiosmtpd) on 127.0.0.1 and a free port, offering and requiring
/// STARTTLS with a certificate made here; Alerts/smtp_server.py stores every message in a directory. Killed by PID.
/// </summary>
internal sealed class SmtpTestServer : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private SmtpTestServer(Process process, string directory, int port, string certificateSha256)
    {
        _process = process;
        _directory = directory;
        Port = port;
        CertificateSha256 = certificateSha256;
    }

    public int Port { get; }

    /// <summary>The server certificate's SHA-256 in hex (the portal's Smtp:ServerCertificateSha256 pin).</summary>
    public string CertificateSha256 { get; }

    public static async Task<SmtpTestServer> StartAsync(bool tls = true)
    {
        Prerequisite.RequireFile("/usr/bin/python3", "python3");
        if (!Directory.Exists("/usr/lib/python3/dist-packages/aiosmtpd"))
        {
            Prerequisite.Missing("aiosmtpd is not installed (Debian package python3-aiosmtpd; scripts/setup installs it)");
        }

        var directory = Directory.CreateTempSubdirectory("onestoppi-smtp-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        var mail = Directory.CreateDirectory(Path.Combine(directory, "mail")).FullName;

        int port = FreePort();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Alerts", "smtp_server.py"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", mail })
        {
            start.ArgumentList.Add(argument);
        }

        if (tls)
        {
            start.ArgumentList.Add("--cert");
            start.ArgumentList.Add(certPath);
            start.ArgumentList.Add("--key");
            start.ArgumentList.Add(keyPath);
        }
        else
        {
            start.ArgumentList.Add("--no-tls");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var server = new SmtpTestServer(process, directory, port, Convert.ToHexString(SHA256.HashData(certificate.RawData)));
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(ready.Token);
            if (line != "READY")
            {
                var error = await process.StandardError.ReadToEndAsync(ready.Token);
                throw new InvalidOperationException($"smtp_server.py did not start: {line} {error}");
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>The messages stored so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedMail> Messages()
    {
        var result = new List<ReceivedMail>();
        foreach (var eml in Directory.GetFiles(Path.Combine(_directory, "mail"), "*.eml").Order(StringComparer.Ordinal))
        {
            using var meta = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(eml, ".json")));
            var root = meta.RootElement;
            result.Add(new ReceivedMail(root.GetProperty("tls").GetBoolean(), root.GetProperty("from").GetString() ?? "",
                [.. root.GetProperty("to").EnumerateArray().Select(t => t.GetString() ?? "")], File.ReadAllText(eml)));
        }

        return result;
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> messages are stored.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
        {
            var messages = Messages();
            if (messages.Count >= count)
            {
                return messages;
            }

            await Task.Delay(100);
        }

        return Messages();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // this process only, by its handle
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory
        }
    }
}
