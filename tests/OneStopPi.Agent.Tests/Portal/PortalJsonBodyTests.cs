using System.Net;
using System.Net.Http.Json;
using System.Text;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>
/// The agent's JSON bodies (enrol, heartbeat, command outcome) are serialized up front instead of by JsonContent (for
/// the AOT image's size): the portal must get the same bytes under the same Content-Type as JsonContent sent, now with
/// a Content-Length. The answers are read as text in their charset and then parsed (not by ReadFromJsonAsync): the
/// same values as ReadFromJsonAsync gives.
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

    [TestCase("utf-8", false)]
    [TestCase("utf-8", true)]
    [TestCase("iso-8859-1", false)]
    [TestCase(null, true)]
    public async Task Answers_are_read_in_their_charset_as_ReadFromJsonAsync_read_them(string? charset, bool bom)
    {
        const string Answer = """{"configEtag":"\"Größe-7\"","pendingCommands":3,"serverTime":"2026-12-07T21:00:00Z"}""";
        Encoding encoding = charset is "iso-8859-1" ? Encoding.Latin1 : new UTF8Encoding(false);
        byte[] bytes = [.. bom ? Encoding.UTF8.Preamble : [], .. encoding.GetBytes(Answer)];
        HttpContent Content()
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = charset };
            return content;
        }

        var handler = new Capturing(Content);
        using var http = new HttpClient(handler);
        HeartbeatResponse ours = await new PortalClient(http).HeartbeatAsync(Session(), new HeartbeatRequest("1", 1, null, null, 0, 0), CancellationToken.None);
        HeartbeatResponse? theirs = await Content().ReadFromJsonAsync(ContractsJsonContext.Default.HeartbeatResponse);
        Assert.That(ours, Is.EqualTo(theirs));
        Assert.That(ours.ConfigEtag, Is.EqualTo("\"Größe-7\""));
    }

    [Test]
    public void An_unreadable_answer_is_a_portal_unavailable()
    {
        var handler = new Capturing(() => new StringContent("{\"configEtag\":", Encoding.UTF8, "application/json"));
        using var http = new HttpClient(handler);
        Assert.ThrowsAsync<PortalUnavailableException>(() => new PortalClient(http).HeartbeatAsync(Session(), new HeartbeatRequest("1", 1, null, null, 0, 0), CancellationToken.None));
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
        var handler = new Capturing(() => new StringContent(answer, Encoding.UTF8, "application/json"));
        using var http = new HttpClient(handler);
        await call(new PortalClient(http));
        Assert.That(handler.Body, Is.Not.Null, "a request with a body was sent");
        return (handler.ContentType!, handler.Body!, handler.Length);
    }

    private sealed class Capturing(Func<HttpContent> answer) : HttpMessageHandler
    {
        public string? ContentType { get; private set; }

        public byte[]? Body { get; private set; }

        public long? Length { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ContentType = request.Content?.Headers.ContentType?.ToString();
            Length = request.Content?.Headers.ContentLength;
            Body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = answer() };
        }
    }
}
