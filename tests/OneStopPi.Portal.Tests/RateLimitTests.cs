using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Security;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests;

/// <summary>
/// The per-client-address limits on enrolment, sign-in and operator tokens. One server with small limits;
/// each test connects from its own loopback address (127.0.0.x), so each starts with fresh windows and
/// a second address shows that one client's limit leaves the others alone. Nothing here waits for a window.
/// </summary>
[TestFixture]
public sealed class RateLimitTests
{
    private const int Attempts = 3;
    private PortalServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await PortalServer.StartAsync(new Dictionary<string, string?>
    {
        ["Portal:EnrolmentAttempts"] = $"{Attempts}",
        ["Portal:SignInAttempts"] = $"{Attempts}",
        ["Portal:RefusedOperatorTokens"] = $"{Attempts}",
        ["Portal:RateLimitWindowSeconds"] = "60",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private static IPAddress Client(int n) => new([127, 0, 0, (byte)n]);

    [Test]
    public async Task Enrolment_allows_a_few_attempts_per_address_then_answers_429_with_retry_after()
    {
        var site = await _server.CreateSiteAsync();
        var agent = await _server.EnrolAsync(site, source: Client(2));
        Assert.That(agent.Token, Is.Not.Empty, "a valid enrolment under the limit works");

        using var guesser = _server.CreateClient(source: Client(2));
        for (var i = 1; i < Attempts; i++)
        {
            using var wrong = await EnrolAsync(guesser, Secrets.Create());
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"attempt {i + 1}");
        }

        using var limited = await EnrolAsync(guesser, site.EnrolmentKey);
        await AssertTooManyAsync(limited, "even the right key waits for the window once the attempts are spent");

        var other = await _server.EnrolAsync(site, source: Client(3));
        Assert.That(other.Token, Is.Not.Empty, "another client address is not limited");
    }

    [Test]
    public async Task Sign_in_allows_a_few_attempts_per_address_then_answers_429()
    {
        using var browser = _server.CreateClient(source: Client(4));
        for (var i = 0; i < Attempts; i++)
        {
            using var wrong = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", Secrets.Create())]));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var limited = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", _server.OperatorToken)]));
        await AssertTooManyAsync(limited, "the sign-in form");
        using var elsewhere = await _server.CreateClient(source: Client(5)).PostAsync("/login", new FormUrlEncodedContent([new("token", _server.OperatorToken)]));
        // The client follows the sign-in's redirect; a refused token would be a 401 without one.
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another client address signs in");
        Assert.That(elsewhere.RequestMessage?.RequestUri?.AbsolutePath, Is.Not.EqualTo("/login"), "it was redirected");
    }

    [Test]
    public async Task Operator_api_counts_only_refused_tokens()
    {
        var valid = _server.CreateClient(_server.OperatorToken, source: Client(6));
        for (var i = 0; i < Attempts * 3; i++)
        {
            using var ok = await valid.GetAsync("/api/operator/v1/sites");
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a valid operator token is never slowed");
        }

        var guesser = _server.CreateClient(Secrets.Create(), source: Client(6));
        for (var i = 0; i < Attempts; i++)
        {
            using var wrong = await guesser.GetAsync("/api/operator/v1/sites");
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var limited = await guesser.GetAsync("/api/operator/v1/sites");
        await AssertTooManyAsync(limited, "refused operator tokens");
        using var lockedOut = await valid.GetAsync("/api/operator/v1/sites");
        Assert.That(lockedOut.StatusCode, Is.EqualTo((HttpStatusCode)429), "the address, not the token, is limited for the window");
        using var elsewhere = await _server.Operator.GetAsync("/api/operator/v1/sites");
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another client address is not limited");
    }

    [Test]
    public async Task An_enrolled_agent_uploads_heartbeats_and_polls_from_an_address_whose_enrolment_limit_is_spent()
    {
        var site = await _server.CreateSiteAsync();
        var agent = await _server.EnrolAsync(site, source: Client(7));
        await _server.AssignAsync(agent, site.SiteId);
        using var guesser = _server.CreateClient(source: Client(7));
        HttpStatusCode status;
        do
        {
            using var attempt = await EnrolAsync(guesser, Secrets.Create());
            status = attempt.StatusCode;
        }
        while (status == HttpStatusCode.Unauthorized);
        Assert.That(status, Is.EqualTo((HttpStatusCode)429));

        for (var i = 0; i < Attempts * 4; i++)
        {
            var zip = Zip(Scan(agent.Id, site.SiteId, new DateTime(2026, 3, 2, 6, 5, 0, DateTimeKind.Utc).AddDays(i),
                Device("10.1.0.5", "SER00005", "00:17:c8:00:00:05", [("total", 1000 + i)], [("black", 80)])));
            using var upload = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), zip);
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), await upload.Content.ReadAsStringAsync());
            using var config = await agent.Client.GetAsync("/api/agent/v1/config");
            Assert.That(config.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            using var commands = await agent.Client.GetAsync("/api/agent/v1/commands");
            Assert.That(commands.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            using var heartbeat = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.1.0", 60, null, null, 0, 0));
            Assert.That(heartbeat.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public void A_client_that_keeps_guessing_is_logged_once_per_window()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<RateLimitWarnings>();
        var warnings = new RateLimitWarnings(time, logger);
        var window = TimeSpan.FromSeconds(60);

        for (var i = 0; i < 10; i++)
        {
            warnings.Refused(RateLimits.Enrolment, "192.0.2.7", window);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        warnings.Refused(RateLimits.SignIn, "192.0.2.7", window);
        warnings.Refused(RateLimits.Enrolment, "192.0.2.8", window);
        Assert.That(logger.Lines, Has.Count.EqualTo(3), "one per client and limit");

        time.Advance(window);
        warnings.Refused(RateLimits.Enrolment, "192.0.2.7", window);
        Assert.That(logger.Lines, Has.Count.EqualTo(4), "and again in the next window");
        Assert.That(logger.Lines[0], Does.Contain("enrolment").And.Contain("192.0.2.7"));
    }

    private static Task<HttpResponseMessage> EnrolAsync(HttpClient client, string key) =>
        client.PostAsJsonAsync("/api/agent/v1/enrol", new EnrolRequest(key, $"pi-{Guid.NewGuid():N}", null, "guess", "0.1.0"));

    private static async Task AssertTooManyAsync(HttpResponseMessage response, string what)
    {
        Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)429), what);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.That(retryAfter, Is.Not.Null.And.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(60)), "Retry-After in seconds");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.That(problem!.Status, Is.EqualTo(429));
        Assert.That(problem.Title, Is.EqualTo("Too many requests"));
    }

    private sealed record ProblemBody(int Status, string Title, string Detail);

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
