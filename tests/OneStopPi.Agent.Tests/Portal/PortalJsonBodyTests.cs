using System.Net;
using System.Net.Http.Json;
using System.Text;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>
/// The agent's JSON bodies (enrol, heartbeat, command outcome) are serialized up front instead of by JsonContent (for
/// the AOT image's size): the portal must get the same bytes under the same Content-Type as JsonContent sent, now with
/// a Content-Length.
/// </summary>
public sealed class PortalJsonBodyTests
{
    private static readonly Uri Portal = new("https://portal.test/");

    [Test]
    public async Task Enrolment_body_is_what_JsonContent_sent()
    {
        var enrol = new EnrolRequest("key-ü", "hw-1", "aa:bb:cc:dd:ee:ff", null, "1.2.3");
        (string type, byte[] body, long? length) = await Sent(c => c.EnrolAsync(Portal, enrol, CancellationToken.None),
            """{"agentId":"0f8fad5b-d9cb-469f-a165-70867728950e","token":"t","assigned":true}""");
        await AssertSameAsJsonContent(JsonContent.Create(enrol, ContractsJsonContext.Default.EnrolRequest), type, body, length);
    }

    [Test]
    public async Task Heartbeat_body_is_what_JsonContent_sent()
    {
        var heartbeat = new HeartbeatRequest("1.2.3", 3600, new DateTime(2026, 12, 7, 2, 0, 0, DateTimeKind.Utc), null, 2, 0, SetupKey: "k-1", ClockSource: ClockSources.Ntp);
        (string type, byte[] body, long? length) = await Sent(c => c.HeartbeatAsync(Session(), heartbeat, CancellationToken.None),
            """{"configEtag":"\"7\"","pendingCommands":0,"serverTime":null}""");
        await AssertSameAsJsonContent(JsonContent.Create(heartbeat, ContractsJsonContext.Default.HeartbeatRequest), type, body, length);
    }

    [Test]
    public async Task Command_outcome_body_is_what_JsonContent_sent()
    {
        var outcome = new CommandOutcome(false, "the disk is full: «/var/lib»");
        (string type, byte[] body, long? length) = await Sent(c => c.CompleteCommandAsync(Session(), 42, outcome, CancellationToken.None), "");
        await AssertSameAsJsonContent(JsonContent.Create(outcome, ContractsJsonContext.Default.CommandOutcome), type, body, length);
    }

    private static PortalSession Session() => new(Portal, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "token");

    private static async Task AssertSameAsJsonContent(JsonContent expected, string type, byte[] body, long? length)
    {
        byte[] theirs = await expected.ReadAsByteArrayAsync();
        Assert.Multiple(() =>
        {
            Assert.That(type, Is.EqualTo(expected.Headers.ContentType!.ToString()));
            Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo(Encoding.UTF8.GetString(theirs)));
            Assert.That(length, Is.EqualTo(body.Length), "sent with its length");
        });
    }

    private static async Task<(string Type, byte[] Body, long? Length)> Sent(Func<PortalClient, Task> call, string answer)
    {
        var handler = new Capturing(answer);
        using var http = new HttpClient(handler);
        await call(new PortalClient(http));
        Assert.That(handler.Body, Is.Not.Null, "a request with a body was sent");
        return (handler.ContentType!, handler.Body!, handler.Length);
    }

    private sealed class Capturing(string answer) : HttpMessageHandler
    {
        public string? ContentType { get; private set; }

        public byte[]? Body { get; private set; }

        public long? Length { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ContentType = request.Content?.Headers.ContentType?.ToString();
            Length = request.Content?.Headers.ContentLength;
            Body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }
}
