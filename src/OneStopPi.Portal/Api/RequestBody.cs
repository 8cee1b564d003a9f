using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OneStopPi.Portal.Readings;

namespace OneStopPi.Portal.Api;

/// <summary>Reads an upload body into memory, refusing (413) anything over the limit, declared or streamed.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadZipAsync(HttpRequest request, long maxBytes)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(type, "application/zip", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(type, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            throw new UploadRejectedException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Send the archive as application/zip, not '{request.ContentType}'.");
        }

        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        // Kestrel's own limit is the global backstop; this endpoint's limit is this one.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }

                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }

        return buffer.ToArray();
    }

    private static UploadRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The body exceeds {maxBytes} bytes.");
}
