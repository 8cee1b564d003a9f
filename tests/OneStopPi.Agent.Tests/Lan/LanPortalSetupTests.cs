using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>PUT /api/portal on a box that is not enrolled yet: saved to agent.json (0600), then the agent restarts.</summary>
[TestFixture]
public sealed class LanPortalSetupTests
{
    [Test]
    public async Task Portal_settings_are_saved_and_the_agent_restarts()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using HttpClient client = agent.ClientFrom("127.0.83.110");
        var stopping = new TaskCompletionSource();
        agent.Service<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/portal")
        {
            Content = new StringContent($"{{\"portalUrl\":\"https://portal.example/\",\"enrolmentKey\":\"{LanSecrets.EnrolmentKey}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agent.SetupKey);
        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        Assert.That(body, Does.Not.Contain(LanSecrets.EnrolmentKey));
        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(10));

        string file = Path.Combine(agent.ConfigurationDirectory, "agent.json");
        using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Multiple(() =>
        {
            Assert.That(json.RootElement.GetProperty("portalUrl").GetString(), Is.EqualTo("https://portal.example/"));
            Assert.That(json.RootElement.GetProperty("enrolmentKey").GetString(), Is.EqualTo(LanSecrets.EnrolmentKey));
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(agent.LogText(), Does.Contain("portal set to portal.example").And.Not.Contain(LanSecrets.EnrolmentKey));
        });
    }

    [TestCase("{\"portalUrl\":\"http://portal.example/\",\"enrolmentKey\":\"k\"}", TestName = "plain http portal")]
    [TestCase("{\"portalUrl\":\"https://user:pw@portal.example/\",\"enrolmentKey\":\"k\"}", TestName = "credentials in the URL")]
    [TestCase("{\"portalUrl\":\"https://portal.example/\"}", TestName = "no enrolment key")]
    public async Task Bad_portal_settings_are_400(string json)
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using HttpClient client = agent.ClientFrom("127.0.83.111");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/portal") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agent.SetupKey);
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(File.Exists(Path.Combine(agent.ConfigurationDirectory, "agent.json")), Is.False);
    }
}
