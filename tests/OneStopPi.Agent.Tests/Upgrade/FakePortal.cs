using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary>
/// The portal's agent API in memory, under the agent's real PortalClient: serves release packages and
/// records acknowledgements and outcomes (a second outcome for a command gets 409, as the portal answers).
/// The portal's own endpoints are tested against the real portal in OneStopPi.Portal.Tests.
/// </summary>
internal sealed class FakePortal : HttpMessageHandler
{
    public static readonly Uri Url = new("https://portal.test/");

    public ConcurrentDictionary<string, byte[]> Packages { get; } = new();

    public ConcurrentQueue<(long Id, bool Succeeded, string? Message)> Completed { get; } = new();

    public ConcurrentQueue<long> Acknowledged { get; } = new();

    public int Downloads { get; private set; }

    public void AddPackage(string version, string architecture, byte[] deb) => Packages[$"{version}/{architecture}"] = deb;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string path = request.RequestUri!.AbsolutePath;
        const string prefix = "/api/agent/v1/";
        Assert.That(path, Does.StartWith(prefix));
        Assert.That(request.Headers.Authorization?.Parameter, Is.EqualTo("agent-token"), "every agent call carries the token");
        string[] parts = path[prefix.Length..].Split('/');
        switch (parts)
        {
            case ["releases", var version, var architecture] when request.Method == HttpMethod.Get:
                Downloads++;
                return Packages.TryGetValue($"{Uri.UnescapeDataString(version)}/{architecture}", out byte[]? deb)
                    ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(deb) }
                    : new HttpResponseMessage(HttpStatusCode.NotFound);
            case ["commands", var id, "ack"]:
                Acknowledged.Enqueue(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
                return new HttpResponseMessage(HttpStatusCode.NoContent);
            case ["commands", var id, "complete"]:
                long commandId = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
                using (JsonDocument body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken)))
                {
                    if (Completed.Any(c => c.Id == commandId))
                    {
                        return new HttpResponseMessage(HttpStatusCode.Conflict);
                    }

                    Completed.Enqueue((commandId, body.RootElement.GetProperty("succeeded").GetBoolean(),
                        body.RootElement.TryGetProperty("message", out JsonElement m) ? m.GetString() : null));
                }

                return new HttpResponseMessage(HttpStatusCode.NoContent);
            default:
                return new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }
}
