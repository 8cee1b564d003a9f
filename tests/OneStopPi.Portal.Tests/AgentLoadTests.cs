using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests;

/// <summary>
/// The agent API's load limit (Portal:AgentRequestsInFlight): past what the portal serves at once an agent call is
/// answered 503 with Retry-After at once, not 500 after the database pool's timeout, and nothing is lost: the held
/// upload completes and is stored once. One call in flight and none queued, so one held upload fills the portal.
/// </summary>
[TestFixture]
public sealed class AgentLoadTests
{
    private const int RetryAfterSeconds = 7;
    private PortalServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await PortalServer.StartAsync(new Dictionary<string, string?>
    {
        ["Portal:AgentRequestsInFlight"] = "1",
        ["Portal:AgentRequestsQueued"] = "0",
        ["Portal:BusyRetryAfterSeconds"] = $"{RetryAfterSeconds}",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task A_call_past_the_limit_gets_503_with_retry_after_and_the_held_upload_is_stored_once()
    {
        var (site, agent) = await _server.SiteWithAgentAsync();
        using (var before = await agent.Client.GetAsync("/api/agent/v1/config"))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK), "under the limit");
        }

        var zip = Zip(Scan(agent.Id, site.SiteId, new DateTime(2026, 12, 7, 8, 0, 0, DateTimeKind.Utc),
            Device("198.18.0.10", "SN-LOAD-1", "00:11:22:33:44:55", [("total", 1234)])));
        var body = new HeldContent(zip);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var batchId = Guid.NewGuid().ToString();
        var upload = agent.Client.PutAsync($"/api/agent/v1/batches/{batchId}", body);
        await body.Started.WaitAsync(TimeSpan.FromSeconds(30));

        // The upload's handler holds the one permit while it reads the body; its request may still be on its way in.
        HttpResponseMessage? busy = null;
        for (var attempt = 0; attempt < 100 && busy is null; attempt++)
        {
            var response = await agent.Client.GetAsync("/api/agent/v1/config");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                busy = response;
            }
            else
            {
                response.Dispose();
                await Task.Delay(50);
            }
        }

        Assert.That(busy, Is.Not.Null, "a second call while the upload holds the only permit is refused");
        using (busy)
        {
            Assert.That(busy!.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(RetryAfterSeconds)));
            Assert.That(busy.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            var problem = await busy.Content.ReadFromJsonAsync<ProblemBody>();
            Assert.That(problem!.Status, Is.EqualTo(503));
            Assert.That(problem.Title, Is.EqualTo("Portal busy"));
        }

        Assert.That(upload.IsCompleted, Is.False, "the upload is still held");
        body.Release();
        using (var stored = await upload)
        {
            Assert.That(stored.IsSuccessStatusCode, Is.True, await stored.Content.ReadAsStringAsync());
        }

        using (var after = await agent.Client.GetAsync("/api/agent/v1/config"))
        {
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the permit is back once the upload is done");
        }

        var (batches, readings, _) = await _server.CountsAsync(agent.Id);
        Assert.That((batches, readings), Is.EqualTo((1, 1)), "the held batch stored once");
    }

    private sealed record ProblemBody(int Status, string Title, string Detail);

    /// <summary>A request body that sends its first half, then waits for <see cref="Release"/> before the rest.</summary>
    private sealed class HeldContent(byte[] bytes) : HttpContent
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = bytes.Length / 2;
            await stream.WriteAsync(bytes.AsMemory(0, half));
            await stream.FlushAsync();
            _started.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await stream.WriteAsync(bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
