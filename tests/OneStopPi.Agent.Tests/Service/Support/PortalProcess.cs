using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The reference portal as a process: <c>onestoppi-portal serve --urls https://127.0.0.1:PORT
/// --Portal:DataDirectory=DIR</c> on SQLite, with the self-signed certificate it makes and logs. It can
/// be stopped and started again on the same data directory and port (the portal going down and back).
/// </summary>
internal sealed partial class PortalProcess : IAsyncDisposable
{
    /// <summary>A bound against a hang, not a speed goal: a heavily loaded machine took over 60 s to migrate and write the token.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private readonly bool _ownsDirectory;
    private ChildProcess? _process;
    private HttpClient? _operator;
    private IReadOnlyList<string> _settings = [];

    private PortalProcess(int port, string dataDirectory, bool ownsDirectory)
    {
        Port = port;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        Url = new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    public Uri Url { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "portal.db");

    /// <summary>SHA-256 of the portal's certificate, as it logs it at start (what agents pin).</summary>
    public string CertificateSha256 { get; private set; } = "";

    public string OperatorToken { get; private set; } = "";

    public OperatorApi Operator => new(_operator ?? throw new InvalidOperationException("The portal has not started."));

    public PortalDatabase Database => new(DatabasePath);

    public bool IsRunning => _process is { HasExited: false };

    public string Output => _process?.Output ?? "";

    /// <param name="settings">Further portal settings, e.g. <c>--Portal:AgentSilentAfter=00:00:08</c>.</param>
    public static async Task<PortalProcess> StartAsync(int port, IReadOnlyList<string>? settings = null)
    {
        string directory = Directory.CreateTempSubdirectory("osp-svc-portal-").FullName;
        var portal = new PortalProcess(port, directory, ownsDirectory: true) { _settings = settings ?? [] };
        try
        {
            await portal.StartAgainAsync().ConfigureAwait(false);
        }
        catch
        {
            await portal.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return portal;
    }

    /// <summary>Starts the portal (again) on the same data directory and port.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The portal is already running.");
        }

        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        // The service tests enrol dozens of agents, one per simulated site, all from 127.0.0.1: the per-address
        // enrolment limit (on by default, tested in OneStopPi.Portal.Tests) would take them for a guesser.
        _process = ChildProcess.StartDotnet($"portal :{Port}", BuildOutputs.Portal,
            ["serve", "--urls", $"https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}", $"--Portal:DataDirectory={DataDirectory}",
             "--Portal:EnrolmentAttempts=0", .. _settings],
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__Console__FormatterName"] = "simple" },
            workingDirectory: DataDirectory);
        Match sha = await _process.WaitForOutputAsync(CertificateLine(), StartTimeout).ConfigureAwait(false);
        CertificateSha256 = sha.Groups[1].Value;
        // The first start writes the operator token after migrating the database.
        string tokenFile = Path.Combine(DataDirectory, "operator.token");
        await Eventually.TrueAsync(() => File.Exists(tokenFile) && new FileInfo(tokenFile).Length > 0, StartTimeout, "the portal's operator token", () => _process.Tail())
            .ConfigureAwait(false);
        OperatorToken = (await File.ReadAllTextAsync(tokenFile).ConfigureAwait(false)).Trim();
        _operator?.Dispose();
        _operator = CreateClient(OperatorToken);
        await WaitUntilServingAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the portal the way a service manager does (SIGTERM), by its PID.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await process.TerminateAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }

    /// <summary>An HttpClient for the portal that trusts exactly its certificate (by SHA-256).</summary>
    public HttpClient CreateClient(string? bearer = null)
    {
        string pin = CertificateSha256;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), pin, StringComparison.OrdinalIgnoreCase);
        var client = new HttpClient(handler) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                await StopAsync().ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // killed below
            }

            await _process.DisposeAsync().ConfigureAwait(false);
        }

        _operator?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a temporary directory
            }
        }
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await _operator!.GetAsync("api/operator/v1/sites").ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline || _process!.HasExited)
            {
                throw new InvalidOperationException($"The portal on port {Port} does not answer. Output:\n{_process!.Tail()}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    [GeneratedRegex(@"SHA-256 ([0-9A-Fa-f]{64})")]
    private static partial Regex CertificateLine();
}
