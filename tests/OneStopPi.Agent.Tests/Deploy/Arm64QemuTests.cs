using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OneStopPi.Agent.Tests.Service;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Deploy;

/// <summary>
/// The Pi's binary, not the test machine's: the Native AOT linux-arm64 build (scripts/check-aot linux-arm64,
/// which .ci/run runs before the tests) run under qemu-user. It starts the service, answers /healthz, and its
/// `scan` of a simulated printer (the x64 build's simulator on 127.0.73.10:47173) reads what the x64 build
/// reads. qemu-aarch64-static is called explicitly, so no binfmt registration is needed; the arm64 C library
/// and OpenSSL come from Debian's multiarch packages. Loopback allocation: 127.0.73.0/24, TCP/UDP 47173-47175.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class Arm64QemuTests
{
    private const string Qemu = "/usr/bin/qemu-aarch64-static";
    private const string PrinterAddress = "127.0.73.10";
    private const int PrinterPort = 47173;
    private const int HttpPort = 47174;
    private const string Recording = "jetdirect_m130nw";

    /// <summary>Emulation on a busy 2-core machine is slow: minutes, not seconds, before giving up.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "onestoppi.dll");

    private string _root = null!;

    [SetUp]
    public void CreateDirectories() => _root = Directory.CreateTempSubdirectory("onestoppi-arm64-").FullName;

    [TearDown]
    public void DeleteDirectories() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Arm64_binary_runs_the_service_and_reads_a_simulated_printer()
    {
        string binary = Arm64Binary();
        Prerequisite.RequireFile(Qemu, "qemu-user-static");
        Prerequisite.RequireFile("/lib/ld-linux-aarch64.so.1", "libc6:arm64 (dpkg --add-architecture arm64)");
        Prerequisite.RequireFile("/usr/lib/aarch64-linux-gnu/libssl.so.3", "libssl3:arm64 (dpkg --add-architecture arm64)");

        string walks = Directory.CreateDirectory(Path.Combine(_root, "walks")).FullName;
        File.Copy(Path.Combine(RepoPaths.SampleWalks, Recording + ".snmprec"), Path.Combine(walks, Recording + ".snmprec"));
        await using ChildProcess simulator = ChildProcess.StartDotnet("simulator", Dll,
            ["simulate", "--walks", walks, "--bind", PrinterAddress, "--port", PrinterPort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string?>());
        await simulator.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60));

        // The service: state, logs and configuration in the test's directory, the LAN face on loopback.
        string conf = Directory.CreateDirectory(Path.Combine(_root, "conf")).FullName;
        await File.WriteAllTextAsync(Path.Combine(conf, "agent.json"),
            $$$"""{"lan":{"bindAddress":"127.0.0.1","httpPort":{{{HttpPort}}},"discoveryPort":{{{HttpPort + 1}}},"mdns":false}}""");
        await using (ChildProcess agent = ChildProcess.Start("arm64 agent", Qemu, [binary, "run"], new Dictionary<string, string?>
        {
            ["STATE_DIRECTORY"] = Path.Combine(_root, "state"),
            ["LOGS_DIRECTORY"] = Path.Combine(_root, "logs"),
            ["CONFIGURATION_DIRECTORY"] = conf,
        }))
        {
            string health = await HealthzAsync(agent);
            Assert.That(health, Is.EqualTo("{\"status\":\"ok\"}"));
            Assert.That(await agent.TerminateAsync(TimeSpan.FromSeconds(60)), Is.Zero, agent.Output);
        }

        // The technician's scan, arm64 against x64 on the same simulated printer.
        string[] scan = ["scan", $"{PrinterAddress}:{PrinterPort}", "--no-icmp", "--no-arp", "--community", "public", "--timeout", "5000", "--json", "-"];
        ProcessResult arm64 = await ExternalProcess.RunAsync(Qemu, [binary, .. scan], timeout: Patience);
        ProcessResult x64 = await ExternalProcess.RunAsync("dotnet", [Dll, .. scan], timeout: TimeSpan.FromSeconds(60));
        Assert.That(arm64.ExitCode, Is.Zero, arm64.ToString());
        Assert.That(x64.ExitCode, Is.Zero, x64.ToString());
        JsonNode read = JsonNode.Parse(arm64.StandardOutput)!.AsArray().Single()!;
        JsonNode reference = JsonNode.Parse(x64.StandardOutput)!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)read["serial"], Is.EqualTo("VNCRC48198"), "prtGeneralSerialNumber of the recording");
            Assert.That((long?)read["counters"]!["total"]!["value"], Is.GreaterThan(0));
            Assert.That(read["error"], Is.Null);
            foreach (string field in new[] { "vendor", "model", "serial", "firmware", "mac", "counters", "supplies", "status" })
            {
                Assert.That(JsonNode.DeepEquals(read[field], reference[field]), Is.True,
                    $"{field}: arm64 read {read[field]?.ToJsonString()}, x64 read {reference[field]?.ToJsonString()}");
            }
        });
    }

    /// <summary>The published arm64 binary: $ONESTOPPI_ARM64_BINARY, else scripts/check-aot linux-arm64's output.</summary>
    private static string Arm64Binary()
    {
        string path = Environment.GetEnvironmentVariable("ONESTOPPI_ARM64_BINARY") is { Length: > 0 } given
            ? given
            : Path.Combine(RepoPaths.Root, "artifacts", "publish", "linux-arm64", "onestoppi");
        if (!File.Exists(path))
        {
            Prerequisite.Missing($"{path} is not built: run scripts/check-aot linux-arm64 first (.ci/run does, before the tests)");
        }

        return path;
    }

    /// <summary>Polls GET /healthz until it answers, the agent exits or <see cref="Patience"/> runs out.</summary>
    private static async Task<string> HealthzAsync(ChildProcess agent)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var limit = new CancellationTokenSource(Patience);
        while (true)
        {
            if (agent.HasExited)
            {
                Assert.Fail($"the arm64 agent exited ({agent.ExitCode}):\n{agent.Output}");
            }

            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"), limit.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.Content.ReadAsStringAsync(limit.Token);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!limit.IsCancellationRequested)
            {
                // One slow attempt under emulation.
            }

            if (limit.IsCancellationRequested)
            {
                Assert.Fail($"no /healthz answer within {Patience}:\n{agent.Output}");
            }

            await Task.Delay(500, CancellationToken.None);
        }
    }
}
