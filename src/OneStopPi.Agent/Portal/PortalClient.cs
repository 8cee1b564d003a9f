using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Portal;

/// <summary>The portal's answer to a config request: new config, or "not modified".</summary>
public sealed record ConfigFetch(AgentConfig? Config, string? ETag, bool NotModified);

/// <summary>
/// Talks to the portal's agent API (/api/agent/v1; docs/portal-api.md). Every failure is either
/// <see cref="PortalUnavailableException"/> (try later) or <see cref="PortalRejectedException"/> (don't).
/// </summary>
public sealed class PortalClient
{
    private readonly HttpClient _http;

    public PortalClient(HttpClient http) => _http = http;

    public Task<EnrolResponse> EnrolAsync(Uri portal, EnrolRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, new Uri(portal, "api/agent/v1/enrol"), null, Json(request, ContractsJsonContext.Default.EnrolRequest),
            ContractsJsonContext.Default.EnrolResponse, cancellationToken);

    public async Task<ConfigFetch> GetConfigAsync(PortalSession session, string? etag, CancellationToken cancellationToken)
    {
        using var request = session.Request(HttpMethod.Get, "config");
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new ConfigFetch(null, etag, NotModified: true);
        }

        AgentConfig config = await ReadAsync(response, ContractsJsonContext.Default.AgentConfig, cancellationToken).ConfigureAwait(false);
        return new ConfigFetch(config, response.Headers.ETag?.ToString(), NotModified: false);
    }

    /// <summary>PUT of a batch under its ID: the portal stores a batch once however often it is sent.</summary>
    public async Task<BatchAccepted> UploadBatchAsync(PortalSession session, string batchId, Stream zip, CancellationToken cancellationToken)
    {
        using var request = session.Request(HttpMethod.Put, $"batches/{Uri.EscapeDataString(batchId)}");
        request.Content = Zip(zip);
        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, ContractsJsonContext.Default.BatchAccepted, cancellationToken).ConfigureAwait(false);
    }

    public Task<HeartbeatResponse> HeartbeatAsync(PortalSession session, HeartbeatRequest heartbeat, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, session.Uri("heartbeat"), session, Json(heartbeat, ContractsJsonContext.Default.HeartbeatRequest),
            ContractsJsonContext.Default.HeartbeatResponse, cancellationToken);

    public Task<PendingCommand[]> PollCommandsAsync(PortalSession session, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, session.Uri("commands"), session, null, ContractsJsonContext.Default.PendingCommandArray, cancellationToken);

    public async Task AcknowledgeCommandAsync(PortalSession session, long commandId, CancellationToken cancellationToken)
    {
        using var request = session.Request(HttpMethod.Post, $"commands/{commandId}/ack");
        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task UploadCommandResultAsync(PortalSession session, long commandId, Stream zip, CancellationToken cancellationToken)
    {
        using var request = session.Request(HttpMethod.Put, $"commands/{commandId}/result");
        request.Content = Zip(zip);
        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteCommandAsync(PortalSession session, long commandId, CommandOutcome outcome, CancellationToken cancellationToken)
    {
        using var request = session.Request(HttpMethod.Post, $"commands/{commandId}/complete");
        request.Content = Json(outcome, ContractsJsonContext.Default.CommandOutcome);
        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams a release package (GET releases/VERSION/ARCHITECTURE) into <paramref name="destination"/>,
    /// refusing more than <paramref name="maxBytes"/>: the caller checks size, hash and signature.
    /// </summary>
    public async Task DownloadReleaseAsync(PortalSession session, string version, string architecture, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        using var request = session.Request(HttpMethod.Get, $"releases/{Uri.EscapeDataString(version)}/{Uri.EscapeDataString(architecture)}");
        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new PortalRejectedException(HttpStatusCode.RequestEntityTooLarge, $"the package is {response.Content.Headers.ContentLength} bytes, the command says {maxBytes}");
        }

        try
        {
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            byte[] buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new PortalRejectedException(HttpStatusCode.RequestEntityTooLarge, $"the package is longer than the {maxBytes} bytes the command says");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e)
        {
            throw new PortalUnavailableException($"GET {request.RequestUri}: {Reason(e)}", e);
        }
        catch (IOException e) when (e.InnerException is HttpRequestException or System.Net.Sockets.SocketException)
        {
            throw new PortalUnavailableException($"GET {request.RequestUri}: the download broke off: {e.Message}", e);
        }
    }

    /// <summary>
    /// A JSON body as JsonContent sends it (application/json; charset=utf-8, the same bytes), serialized up front and
    /// sent with its length: JsonContent serializes with JsonSerializer.SerializeAsync, which brings an async serializer
    /// for every type of every JSON context into the AOT image (docs/benchmarks.md, "Fifth pass"). The bodies are small.
    /// </summary>
    private static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static StreamContent Zip(Stream zip)
    {
        var content = new StreamContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, Uri uri, PortalSession? session, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var request = session?.Request(method, uri) ?? new HttpRequestMessage(method, uri);
        request.Content = content;
        using HttpResponseMessage response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends and sorts the outcome into success, "later" and "never".</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new PortalUnavailableException($"{request.Method} {request.RequestUri}: {Reason(e)}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PortalUnavailableException($"{request.Method} {request.RequestUri}: timed out", e);
        }

        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return response;
        }

        using (response)
        {
            string detail = await DescribeAsync(response, cancellationToken).ConfigureAwait(false);
            string message = $"{request.Method} {request.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {detail}";
            if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
            {
                throw new PortalUnavailableException(message);
            }

            throw new PortalRejectedException(response.StatusCode, message);
        }
    }

    /// <summary>
    /// The agent logs the message alone, and a TLS failure's says only "see inner exception": the inner
    /// one (certificate refused, no common protocol) is what a dealer with the wrong caFile needs to read.
    /// </summary>
    private static string Reason(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.SecureConnectionError && e.InnerException is { } inner
            ? $"the TLS connection could not be established: {inner.Message}"
            : e.Message;

    /// <summary>
    /// The answer, read whole (it is buffered already: ResponseContentRead) as text in its charset, then parsed: as
    /// ReadFromJsonAsync does, without JsonSerializer.DeserializeAsync, whose async machinery the AOT image compiled for
    /// every type of every JSON context (docs/benchmarks.md, "Fifth pass").
    /// </summary>
    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), typeInfo)
                ?? throw new PortalUnavailableException($"{response.RequestMessage?.RequestUri?.AbsolutePath}: empty answer");
        }
        catch (JsonException e)
        {
            throw new PortalUnavailableException($"{response.RequestMessage?.RequestUri?.AbsolutePath}: unreadable answer: {e.Message}", e);
        }
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            ProblemDetailsBody? problem = JsonSerializer.Deserialize(
                await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), ContractsJsonContext.Default.ProblemDetailsBody);
            return problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return response.ReasonPhrase ?? "";
        }
    }
}

/// <summary>The agent's credentials towards the portal, from enrolment.</summary>
public sealed class PortalSession
{
    private readonly Uri _base;

    public PortalSession(Uri portal, Guid agentId, string token)
    {
        _base = new Uri(portal, "api/agent/v1/");
        AgentId = agentId;
        Token = token;
    }

    public Guid AgentId { get; }

    internal string Token { get; }

    public Uri Uri(string relative) => new(_base, relative);

    public HttpRequestMessage Request(HttpMethod method, string relative) => Request(method, Uri(relative));

    public HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.TryAddWithoutValidation("X-Agent-Id", AgentId.ToString());
        return request;
    }

    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"agent {AgentId} at {_base}";
}
