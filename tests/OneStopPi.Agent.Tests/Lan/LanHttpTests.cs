using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Tests.Lan;

[TestFixture]
[NonParallelizable]
public sealed class LanHttpTests
{
    private LanAgent _agent = null!;
    private HttpClient _client = null!;

    internal static readonly KnownDevice[] Devices =
    [
        new("127.0.0.21", 1161, 0, "Kyocera", "KYO-0001", "00:17:c8:00:00:01", new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero)),
        new("127.0.0.22", 1161, 1, "Ricoh", "RIC-0002", "00:26:73:00:00:02", new DateTimeOffset(2026, 3, 2, 7, 0, 5, TimeSpan.Zero)),
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _agent = await LanAgent.StartAsync(devices: Devices);
        _client = new HttpClient { BaseAddress = _agent.Http };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _agent.DisposeAsync();
    }

    [Test]
    public async Task Status_reports_the_agent()
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri("/status", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("hardwareId").GetString(), Does.StartWith("lan-test-"));
            Assert.That(root.GetProperty("version").GetString(), Is.Not.Empty);
            Assert.That(root.GetProperty("mdnsName").GetString(), Does.Match("^onestop-[0-9a-f]{4}\\.local$"));
            Assert.That(root.GetProperty("enrolment").GetProperty("enrolled").GetBoolean(), Is.False);
            Assert.That(root.GetProperty("scans").GetProperty("knownDevices").GetInt32(), Is.EqualTo(2));
            Assert.That(root.GetProperty("outbox").GetProperty("depth").GetInt32(), Is.Zero);
            Assert.That(root.GetProperty("uptimeSeconds").GetInt64(), Is.GreaterThanOrEqualTo(0));
        });
    }
}
