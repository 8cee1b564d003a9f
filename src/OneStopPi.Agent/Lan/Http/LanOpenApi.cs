namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// The OpenAPI 3.1 description of the LAN API, served as a file. Generating it at run time would put
/// Microsoft.AspNetCore.OpenApi, Microsoft.OpenApi and ApiExplorer in the appliance binary for one
/// document that changes only with the code: the test OpenApiDocumentTests regenerates it from
/// <see cref="LanEndpoints"/> with that generator and fails when this copy is stale.
/// </summary>
public static class LanOpenApi
{
    public const string Path = "/openapi/v1.json";
    public const string ContentType = "application/json; charset=utf-8";
    public const string ResourceName = "OneStopPi.Agent.Lan.Http.openapi.json";

    /// <summary>The document's UTF-8 bytes (an embedded resource of this assembly), read once when the LAN app is built.</summary>
    public static byte[] Load()
    {
        using Stream stream = typeof(LanOpenApi).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
