using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OneStopPi.Portal.Api;

namespace OneStopPi.Portal.Cli;

/// <summary>A refused operator request: status and the portal's problem detail.</summary>
internal sealed class OperatorRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>The CLI's HTTP client for the operator API.</summary>
internal sealed class OperatorClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="certificateSha256">Trust a self-signed portal certificate with this SHA-256 (hex), as printed at its start.</param>
    public OperatorClient(Uri portal, string token, string? certificateSha256)
    {
        var handler = new SocketsHttpHandler();
        if (certificateSha256 is not null)
        {
            var pin = certificateSha256.Replace(":", "", StringComparison.Ordinal);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), pin, StringComparison.OrdinalIgnoreCase));
        }

        _http = new HttpClient(handler) { BaseAddress = new Uri(portal, "/api/operator/v1/"), Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), type, cancellationToken);

    public Task<TOut> SendAsync<TIn, TOut>(HttpMethod method, string path, TIn body, JsonTypeInfo<TIn> inType, JsonTypeInfo<TOut> outType, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, inType) }, outType, cancellationToken);

    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT of a file as the raw body, with extra headers (a release and its signature).</summary>
    public async Task<T> PutFileAsync<T>(string path, string file, string contentType, IReadOnlyDictionary<string, string> headers, JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(file);
        await using (stream.ConfigureAwait(false))
        {
            var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = content };
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return await SendAsync(request, type, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new OperatorRequestException((int)response.StatusCode, "empty response");
        }
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string detail;
        try
        {
            using var problem = JsonDocument.Parse(text);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            detail = text;
        }

        throw new OperatorRequestException((int)response.StatusCode, $"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }
}
