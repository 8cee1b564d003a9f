using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Scheduling;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// The LAN HTTP face of a running agent (in-process host) that has scanned a simulated fleet
/// (snmpsim at 127.0.83.10-12) through its real pipeline, started by POST /api/scan with the setup key.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LanHttpTests
{
    internal static readonly string[] FleetRecordings = ["ricoh_mpc3002", "brother_hl-5350dn", "jetdirect"];
    private const string FleetStart = "127.0.83.10";
    private readonly List<string> _responses = [];
    private SnmpsimFleet _fleet = null!;
    private LanAgent _agent = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _fleet = await SnmpsimFleet.StartAsync("v2c", FleetStart,
            [.. FleetRecordings.Select(r => Path.Combine(RepoPaths.SampleWalks, r + ".snmprec"))]);
        _agent = await LanAgent.StartAsync(new AgentSettings { EnrolmentKey = LanSecrets.EnrolmentKey, PortalUrl = LanSecrets.Portal, SnmpPort = SnmpsimFleet.DefaultPort },
            seed: LanSecrets.Enrolled("127.0.83.10-127.0.83.12"));
        _client = _agent.ClientFrom("127.0.83.100");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/scan");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _agent.SetupKey);
        using HttpResponseMessage queued = await _client.SendAsync(request);
        Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await queued.Content.ReadAsStringAsync());
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            using JsonDocument status = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/status", UriKind.Relative), limit.Token));
            if (status.RootElement.GetProperty("scans").GetProperty("meter").GetProperty("finished").ValueKind != JsonValueKind.Null)
            {
                break;
            }

            await Task.Delay(250, limit.Token);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client?.Dispose();
        if (_agent is not null)
        {
            // Last look for secrets, over everything the agent logged during the whole fixture.
            string logs = _agent.LogText();
            await _agent.DisposeAsync();
            foreach (string secret in LanSecrets.All)
            {
                Assert.That(logs, Does.Not.Contain(secret), "a secret in the agent's log");
            }
        }

        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }
    }

    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string path,
        string? key = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        lock (_responses)
        {
            _responses.Add(string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(',', h.Value)}")) + "\n" + body);
        }

        return (response.StatusCode, body, response);
    }

    [Test]
    public async Task Status_reports_the_enrolled_agent_and_its_scan_of_the_fleet()
    {
        (HttpStatusCode code, string body, _) = await SendAsync(_client, HttpMethod.Get, "/status");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement root = json.RootElement;
        JsonElement meter = root.GetProperty("scans").GetProperty("meter");
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("agentId").GetString(), Is.EqualTo(LanSecrets.AgentId.ToString()));
            Assert.That(root.GetProperty("enrolment").GetProperty("enrolled").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("enrolment").GetProperty("assigned").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("enrolment").GetProperty("siteId").GetInt32(), Is.EqualTo(7));
            Assert.That(root.GetProperty("enrolment").GetProperty("portalHost").GetString(), Is.EqualTo("127.0.0.1"));
            Assert.That(meter.GetProperty("devices").GetInt32(), Is.EqualTo(FleetRecordings.Length));
            Assert.That(meter.GetProperty("answered").GetInt32(), Is.EqualTo(FleetRecordings.Length));
            Assert.That(meter.GetProperty("failed").GetBoolean(), Is.False);
            Assert.That(root.GetProperty("scans").GetProperty("knownDevices").GetInt32(), Is.EqualTo(FleetRecordings.Length));
            Assert.That(root.GetProperty("outbox").GetProperty("depth").GetInt32(), Is.GreaterThanOrEqualTo(1), "the meter batch waits for the (unreachable) portal");
            Assert.That(root.GetProperty("mdnsName").GetString(), Does.Match("^onestop-[0-9a-f]{4}\\.local$"));
            // What this machine's clock is depends on the machine; the report must say what the agent trusts, and from where.
            SiteClock clock = _agent.Service<SiteClock>();
            Assert.That(root.GetProperty("clockSynchronised").GetBoolean(), Is.EqualTo(clock.IsTrusted));
            Assert.That(root.GetProperty("clockSource").GetString(), Is.EqualTo(clock.Source.ToString().ToLowerInvariant()));
            DateTimeOffset started = root.GetProperty("startedAt").GetDateTimeOffset();
            Assert.That(root.GetProperty("uptimeSeconds").GetInt64(), Is.EqualTo((long)(DateTimeOffset.UtcNow - started).TotalSeconds).Within(2),
                "the uptime since the start the report gives");
            JsonElement stages = root.GetProperty("stages");
            Assert.That(stages.GetProperty("restarts").GetInt32(), Is.Zero);
            Assert.That(stages.GetProperty("stalled").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(stages.GetProperty("each").EnumerateArray().Select(e => e.GetProperty("name").GetString()),
                Is.EquivalentTo(new[] { "scheduler", "scan worker", "uploader", "portal sync", "commands", "LAN face" }));
        });
    }

    [Test]
    public async Task Devices_lists_the_fleet_as_scanned()
    {
        (HttpStatusCode code, string body, _) = await SendAsync(_client, HttpMethod.Get, "/devices");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement[] devices = [.. json.RootElement.GetProperty("devices").EnumerateArray()];
        Assert.That(json.RootElement.GetProperty("count").GetInt32(), Is.EqualTo(FleetRecordings.Length));
        Assert.That(devices.Select(d => d.GetProperty("ip").GetString()),
            Is.EquivalentTo(FleetRecordings.Select(r => _fleet[r].Address.ToString())));
        Assert.That(devices.Select(d => d.GetProperty("serial").GetString()), Has.Some.EqualTo("W492KB03439"), "the Ricoh's serial, as read");
        JsonElement ricoh = devices.Single(d => d.GetProperty("ip").GetString() == _fleet["ricoh_mpc3002"].Address.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(ricoh.GetProperty("model").GetString(), Does.Contain("MP C3002"));
            Assert.That(ricoh.GetProperty("totalPages").GetInt64(), Is.GreaterThan(0));
            Assert.That(ricoh.GetProperty("lowestSupply").GetProperty("percent").GetInt32(), Is.InRange(0, 100));
            Assert.That(ricoh.GetProperty("lowestSupply").GetProperty("name").GetString(), Is.Not.Empty);
        });
        Assert.That(devices.Select(d => d.GetProperty("lastReading").GetDateTimeOffset()), Has.All.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-10)));
    }

    [Test]
    public async Task Page_shows_the_devices_in_a_table()
    {
        (HttpStatusCode code, string body, HttpResponseMessage response) = await SendAsync(_client, HttpMethod.Get, "/");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(body, Does.Contain("<meta name=\"viewport\""));
        string table = body[body.IndexOf("<table id=\"devices\"", StringComparison.Ordinal)..];
        foreach (string recording in FleetRecordings)
        {
            Assert.That(table, Does.Contain($">{_fleet[recording].Address}<"));
        }
    }

    [Test]
    public async Task Healthz_answers()
    {
        (HttpStatusCode code, string body, _) = await SendAsync(_client, HttpMethod.Get, "/healthz");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo("{\"status\":\"ok\"}"));
    }

    [Test]
    public async Task OpenApi_document_describes_the_api()
    {
        (HttpStatusCode code, string body, _) = await SendAsync(_client, HttpMethod.Get, "/openapi/v1.json");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement paths = json.RootElement.GetProperty("paths");
        Assert.That(new[] { "/status", "/devices", "/healthz", "/api/scan", "/api/portal", "/api/logs" }.Where(p => !paths.TryGetProperty(p, out _)), Is.Empty);
        Assert.That(json.RootElement.GetProperty("components").GetProperty("schemas").TryGetProperty("StatusReport", out _), Is.True);
    }

    public static IEnumerable<TestCaseData> ChangingEndpoints()
    {
        yield return new TestCaseData("POST", "/api/scan", null).SetArgDisplayNames("POST /api/scan");
        yield return new TestCaseData("PUT", "/api/portal", "{\"portalUrl\":\"https://portal.example/\",\"enrolmentKey\":\"x\"}").SetArgDisplayNames("PUT /api/portal");
        yield return new TestCaseData("POST", "/api/logs", null).SetArgDisplayNames("POST /api/logs");
    }

    [TestCaseSource(nameof(ChangingEndpoints))]
    public async Task Changing_endpoint_refuses_without_the_setup_key(string method, string path, string? json)
    {
        using HttpClient client = _agent.ClientFrom("127.0.83.101");
        (HttpStatusCode none, _, HttpResponseMessage challenge) = await SendAsync(client, new HttpMethod(method), path, null, Json(json));
        (HttpStatusCode wrong, _, _) = await SendAsync(client, new HttpMethod(method), path, "0000-0000-0000-0000", Json(json));
        (HttpStatusCode basic, _, _) = await SendAsync(client, new HttpMethod(method), path, null, Json(json));
        Assert.Multiple(() =>
        {
            Assert.That(none, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(challenge.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
            Assert.That(wrong, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(basic, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Portal_cannot_be_changed_once_enrolled()
    {
        using HttpClient client = _agent.ClientFrom("127.0.83.102");
        (HttpStatusCode code, string body, _) = await SendAsync(client, HttpMethod.Put, "/api/portal", _agent.SetupKey,
            Json("{\"portalUrl\":\"https://portal.example/\",\"enrolmentKey\":\"other\"}"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict), body);
    }

    [Test]
    public async Task Logs_come_as_a_zip_with_the_setup_key()
    {
        using HttpClient client = _agent.ClientFrom("127.0.83.103");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/logs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _agent.SetupKey.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal));
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        Assert.That(zip.Entries.Select(e => e.Name), Has.Some.Match("^onestoppi-.*\\.log$"));
    }

    [Test]
    public async Task A_large_log_is_streamed_whole()
    {
        // 24 MB of log lines: the ZIP goes out as it is written (chunked, no length known in advance) and holds
        // the file byte for byte. Before, the endpoint read every file into memory and sent a Content-Length.
        string big = Path.Combine(_agent.LogsDirectory, "onestoppi-20261201.log");
        byte[] expected;
        await using (var file = new FileStream(big, FileMode.CreateNew))
        await using (var writer = new StreamWriter(file, new UTF8Encoding(false)))
        {
            for (int i = 0; i < 240_000; i++)
            {
                await writer.WriteLineAsync($"2026-12-01 10:{i / 6000 % 60:D2}:{i / 100 % 60:D2} [INF] line {i} of a long debug log, device 127.0.83.{i % 250} read in {i % 997} ms");
            }
        }

        try
        {
            expected = await File.ReadAllBytesAsync(big);
            Assert.That(expected, Has.Length.GreaterThan(20_000_000));
            using HttpClient client = _agent.ClientFrom("127.0.83.106");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/logs");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _agent.SetupKey);
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentLength, Is.Null, "streamed: no length before the body");
            Assert.That(response.Headers.TransferEncodingChunked, Is.True);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy);
            copy.Position = 0;
            using var zip = new ZipArchive(copy);
            ZipArchiveEntry entry = zip.GetEntry("onestoppi-20261201.log") ?? throw new AssertionException("the large log is not in the ZIP");
            await using Stream content = await entry.OpenAsync();
            using var read = new MemoryStream();
            await content.CopyToAsync(read);
            Assert.That(read.ToArray().AsSpan().SequenceEqual(expected), Is.True, $"the entry holds {read.Length} bytes, the file {expected.Length}");
        }
        finally
        {
            File.Delete(big);
        }
    }

    [Test]
    public async Task Changing_endpoints_are_rate_limited_per_address()
    {
        using HttpClient client = _agent.ClientFrom("127.0.83.104");
        var codes = new List<HttpStatusCode>();
        for (int i = 0; i < 12; i++)
        {
            codes.Add((await SendAsync(client, HttpMethod.Post, "/api/scan", "0000-0000-0000-0000")).Status);
        }

        Assert.That(codes.Take(10), Has.All.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(codes.Skip(10), Has.All.EqualTo(HttpStatusCode.TooManyRequests));
        using HttpClient other = _agent.ClientFrom("127.0.83.105");
        Assert.That((await SendAsync(other, HttpMethod.Post, "/api/scan", "0000-0000-0000-0000")).Status, Is.EqualTo(HttpStatusCode.Forbidden), "another address has its own budget");
    }

    public static IEnumerable<TestCaseData> BadRequests()
    {
        yield return new TestCaseData("PUT", "/api/portal", "{not json", HttpStatusCode.BadRequest).SetArgDisplayNames("malformed JSON");
        yield return new TestCaseData("PUT", "/api/portal", "{\"portalUrl\":42}", HttpStatusCode.BadRequest).SetArgDisplayNames("wrong JSON type");
        yield return new TestCaseData("PUT", "/api/portal", "{\"enrolmentKey\":\"" + new string('k', 20_000) + "\"}", HttpStatusCode.RequestEntityTooLarge).SetArgDisplayNames("body over 8 KiB");
        yield return new TestCaseData("GET", "/status/../../etc/passwd", null, HttpStatusCode.NotFound).SetArgDisplayNames("path games");
        yield return new TestCaseData("DELETE", "/status", null, HttpStatusCode.MethodNotAllowed).SetArgDisplayNames("wrong method");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task Bad_request_is_a_4xx_without_details(string method, string path, string? json, HttpStatusCode expected)
    {
        // A fresh, unenrolled agent so PUT /api/portal reaches its body (an enrolled one refuses it first).
        await using LanAgent fresh = await LanAgent.StartAsync();
        using HttpClient client = fresh.ClientFrom("127.0.83.106");
        (HttpStatusCode code, string body, _) = await SendAsync(client, new HttpMethod(method), path, fresh.SetupKey, Json(json));
        Assert.That(code, Is.EqualTo(expected), body);
        Assert.That(body, Does.Not.Contain("Exception").And.Not.Contain(" at "));
    }

    [Test]
    public async Task Oversized_headers_are_refused()
    {
        using HttpClient client = _agent.ClientFrom("127.0.83.107");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Add("X-Filler", new string('x', 40_000));
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.InRange(400, 499));
    }

    [Test]
    public async Task No_secret_in_any_response()
    {
        using HttpClient client = _agent.ClientFrom("127.0.83.108");
        foreach (string path in new[] { "/", "/status", "/devices", "/healthz", "/openapi/v1.json" })
        {
            await SendAsync(client, HttpMethod.Get, path);
        }

        await SendAsync(client, HttpMethod.Post, "/api/scan");
        await SendAsync(client, HttpMethod.Post, "/api/scan", "0000-0000-0000-0000");
        await SendAsync(client, HttpMethod.Put, "/api/portal", _agent.SetupKey, Json("{\"portalUrl\":\"https://x.example/\",\"enrolmentKey\":\"" + LanSecrets.EnrolmentKey + "-2\"}"));
        string[] secrets = [.. LanSecrets.All, _agent.SetupKey, _agent.SetupKey.Replace("-", "", StringComparison.Ordinal)];
        lock (_responses)
        {
            Assert.That(_responses, Has.Count.GreaterThanOrEqualTo(8));
            foreach (string response in _responses)
            {
                foreach (string secret in secrets)
                {
                    Assert.That(response, Does.Not.Contain(secret).IgnoreCase);
                }
            }
        }

        string logs = _agent.LogText();
        Assert.That(logs, Does.Contain("wrong setup key"), "the refusals are logged (without the key)");
        foreach (string secret in secrets)
        {
            Assert.That(logs, Does.Not.Contain(secret).IgnoreCase);
        }
    }

    [Test]
    public void Setup_key_file_is_private_and_printable()
    {
        string path = Path.Combine(_agent.StateDirectory, Agent.Lan.SetupKey.FileName);
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(_agent.SetupKey, Does.Match("^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$"));
    }

    /// <summary>
    /// The page in real headless Chromium at a phone's size: the DOM it built has the fleet in the device
    /// table, and the screenshot is a PNG of that size. ONESTOPPI_UPDATE_DOCS=1 keeps it as docs/lan-status-page.png.
    /// </summary>
    [Test]
    public async Task Page_renders_in_headless_chromium_at_phone_size()
    {
        Prerequisite.RequireFile(Chromium.Executable, "chromium");

        string url = new Uri(_agent.Http, "/").ToString();
        ProcessResult dom = await Chromium.RunAsync("--window-size=412,915", "--dump-dom", url);
        Assert.That(dom.ExitCode, Is.Zero, dom.ToString());
        string table = dom.StandardOutput[dom.StandardOutput.IndexOf("<table id=\"devices\"", StringComparison.Ordinal)..];
        table = table[..(table.IndexOf("</table>", StringComparison.Ordinal) + 8)];
        Assert.That(table.Split("<tr>").Length - 2, Is.EqualTo(FleetRecordings.Length), table);
        foreach (string recording in FleetRecordings)
        {
            Assert.That(table, Does.Contain($"data-label=\"IP\">{_fleet[recording].Address}</td>"));
        }

        Assert.That(table, Does.Contain("W492KB03439"));

        string png = Path.Combine(_agent.Root, "page.png");
        ProcessResult shot = await Chromium.RunAsync("--window-size=412,915", $"--screenshot={png}", url);
        Assert.That(shot.ExitCode, Is.Zero, shot.ToString());
        byte[] image = await File.ReadAllBytesAsync(png);
        Assert.That(image.AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a }));
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.AsSpan(16));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.AsSpan(20));
        Assert.That((width, height), Is.EqualTo((412, 915)));
        Assert.That(image, Has.Length.GreaterThan(10_000), "a page, not a blank");
        if (Environment.GetEnvironmentVariable("ONESTOPPI_UPDATE_DOCS") == "1")
        {
            File.Copy(png, Path.Combine(RepoPaths.Root, "docs", "lan-status-page.png"), overwrite: true);
        }
    }

    private static StringContent? Json(string? json) => json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
}
