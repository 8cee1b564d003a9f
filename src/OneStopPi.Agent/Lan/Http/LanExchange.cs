using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// One request of the LAN face and its answer, over <see cref="HttpListenerContext"/>: the body read with a size
/// and time limit, JSON written as the minimal APIs wrote it before (web defaults, nulls written, relaxed escaping).
/// </summary>
internal sealed class LanExchange
{
    /// <summary>Request bodies are small JSON documents.</summary>
    public const int MaxRequestBodyBytes = 8 * 1024;

    /// <summary>How long a client may take to send a request's body.</summary>
    public static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The answers' JSON: what ASP.NET's minimal APIs used (JsonSerializerDefaults.Web, UnsafeRelaxedJsonEscaping: the bodies are JSON documents, never embedded in HTML), over the agent's context.</summary>
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private readonly HttpListenerContext _context;
    private bool _bodyRead;

    public LanExchange(HttpListenerContext context)
    {
        _context = context;
        Path = context.Request.Url?.AbsolutePath ?? "/";
        Method = context.Request.HttpMethod;
        Remote = context.Request.RemoteEndPoint?.Address.ToString() ?? "";
    }

    public string Method { get; }

    public string Path { get; }

    /// <summary>The client's address (the rate limits' partition).</summary>
    public string Remote { get; }

    public string? Authorization => _context.Request.Headers["Authorization"];

    public HttpListenerResponse Response => _context.Response;

    /// <summary>True once the answer's head may be on the wire: too late to answer anything else.</summary>
    public bool Started { get; private set; }

    /// <summary>True when the request had no body or it was read to its end (the connection can serve the next request).</summary>
    public bool BodyConsumed => !_context.Request.HasEntityBody || _bodyRead;

    /// <summary>Run after the answer is sent (the portal change restarts the agent only once the client has its 202).</summary>
    public Action? OnCompleted { get; set; }

    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));

    /// <summary>
    /// The JSON body as <typeparamref name="T"/>. Throws <see cref="LanRequestException"/> with the status to answer:
    /// 415 not JSON, 413 over <see cref="MaxRequestBodyBytes"/>, 400 empty or malformed. A body slower than
    /// <see cref="BodyTimeout"/> is answered 408 by <see cref="Abandon"/>, which closes the connection.
    /// </summary>
    public async Task<T> ReadJsonAsync<T>(CancellationToken cancellationToken)
    {
        HttpListenerRequest request = _context.Request;
        if (request.ContentType is not { } type || !IsJson(type))
        {
            throw new LanRequestException(HttpStatusCode.UnsupportedMediaType);
        }

        if (request.ContentLength64 > MaxRequestBodyBytes)
        {
            throw new LanRequestException(HttpStatusCode.RequestEntityTooLarge);
        }

        byte[] body = new byte[MaxRequestBodyBytes + 1];
        int length = 0;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limit.CancelAfter(BodyTimeout);
            // The listener's request stream ignores cancellation once a read waits: closing the connection ends it.
            await using CancellationTokenRegistration abort = limit.Token.Register(static x => ((LanExchange)x!).Abandon(HttpStatusCode.RequestTimeout), this);
            try
            {
                int read;
                while (length < body.Length && (read = await request.InputStream.ReadAsync(body.AsMemory(length), limit.Token).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                _bodyRead = length < body.Length;
            }
            catch (Exception e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is IOException or ObjectDisposedException or HttpListenerException or OperationCanceledException)
            {
                throw new LanRequestException(HttpStatusCode.RequestTimeout);
            }
        }

        if (length > MaxRequestBodyBytes)
        {
            throw new LanRequestException(HttpStatusCode.RequestEntityTooLarge);
        }

        try
        {
            return length == 0
                ? throw new LanRequestException(HttpStatusCode.BadRequest)
                : JsonSerializer.Deserialize(body.AsSpan(0, length), TypeInfo<T>()) ?? throw new LanRequestException(HttpStatusCode.BadRequest);
        }
        catch (JsonException)
        {
            throw new LanRequestException(HttpStatusCode.BadRequest);
        }
    }

    public Task JsonAsync<T>(HttpStatusCode status, T value, CancellationToken cancellationToken) => JsonAsync(status, value, TypeInfo<T>(), cancellationToken);

    /// <summary>With the caller's metadata: refusals are written with the agent context's own options (strict escaping), as before.</summary>
    public Task JsonAsync<T>(HttpStatusCode status, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        BytesAsync(status, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), "application/json; charset=utf-8", cancellationToken);

    public Task HtmlAsync(string html, CancellationToken cancellationToken) =>
        BytesAsync(HttpStatusCode.OK, Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", cancellationToken);

    public async Task BytesAsync(HttpStatusCode status, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        HttpListenerResponse response = _context.Response;
        response.StatusCode = (int)status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        Started = true;
        await response.OutputStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A streamed answer of unknown length (chunked) with <paramref name="status"/>; write it to <see cref="HttpListenerResponse.OutputStream"/>.</summary>
    public Stream BeginStream(HttpStatusCode status, string contentType)
    {
        HttpListenerResponse response = _context.Response;
        response.StatusCode = (int)status;
        response.ContentType = contentType;
        response.SendChunked = true;
        Started = true;
        return response.OutputStream;
    }

    /// <summary>
    /// Closes the connection now (a client too slow to send or to read). The listener sends the answer's head as it
    /// closes if it has not gone yet, so that head carries <paramref name="status"/> rather than the default 200.
    /// </summary>
    public void Abandon(HttpStatusCode status)
    {
        HttpListenerResponse response = _context.Response;
        try
        {
            if (!Started)
            {
                response.StatusCode = (int)status;
                response.ContentLength64 = 0;
                response.KeepAlive = false;
            }
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        response.Abort();
    }

    /// <summary>A status with no body (404, 405, 429, 503).</summary>
    public void Empty(HttpStatusCode status)
    {
        _context.Response.StatusCode = (int)status;
        _context.Response.ContentLength64 = 0;
    }

    private static bool IsJson(string contentType)
    {
        string media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = AgentJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>A request the LAN face refuses before its handler decides anything: answered with <see cref="Status"/> and a short reason.</summary>
internal sealed class LanRequestException(HttpStatusCode status) : Exception($"LAN request refused with {(int)status}")
{
    public HttpStatusCode Status { get; } = status;
}
