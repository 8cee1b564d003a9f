using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OneStopPi.Portal.Api;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// POSTs an alert event as JSON, signed: X-OneStopPi-Timestamp (Unix seconds) and X-OneStopPi-Signature
/// ("sha256=" + hex HMAC-SHA256 of "timestamp.body" under the site's secret). Any 2xx is delivered.
/// </summary>
internal sealed class WebhookSender(HttpClient http, IOptions<AlertOptions> options, TimeProvider time)
{
    public const string DeliveryHeader = "X-OneStopPi-Delivery";
    public const string EventHeader = "X-OneStopPi-Event";

    /// <exception cref="DeliveryFailedException">Not answered with a 2xx in time.</exception>
    public async Task SendAsync(Uri url, string secret, AlertEventMessage message, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(message, PortalJsonContext.Default.AlertEventMessage);
        long timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(AlertSecrets.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(AlertSecrets.SignatureHeader, AlertSecrets.Sign(secret, timestamp, body));
        request.Headers.Add(DeliveryHeader, message.DeliveryId.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(EventHeader, message.Event);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.WebhookTimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new DeliveryFailedException($"webhook {url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (HttpRequestException e)
        {
            throw new DeliveryFailedException($"webhook {url.GetLeftPart(UriPartial.Path)}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryFailedException($"webhook {url.GetLeftPart(UriPartial.Path)}: no answer in {options.Value.WebhookTimeoutSeconds} s", e);
        }
    }
}
