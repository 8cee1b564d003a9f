using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// The agent serves a checked-in OpenAPI document (src/OneStopPi.Agent/Lan/Http/openapi.json) instead of
/// generating it at run time. This test generates it with Microsoft.AspNetCore.OpenApi from the agent's own
/// LAN application (the same endpoint mapping, filters and JSON context) and fails when the copy is stale.
/// To refresh it: <c>ONESTOPPI_UPDATE_OPENAPI=1 dotnet test tests/OneStopPi.Agent.Tests --filter OpenApiDocumentTests</c>.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OpenApiDocumentTests
{
    private static readonly string CheckedIn = Path.Combine(RepoPaths.Root, "src", "OneStopPi.Agent", "Lan", "Http", "openapi.json");

    [Test]
    public async Task Served_document_is_the_one_the_endpoints_generate()
    {
        string generated = await GenerateAsync();
        if (Environment.GetEnvironmentVariable("ONESTOPPI_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CheckedIn, generated + "\n");
        }

        JsonNode? expected = JsonNode.Parse(generated);
        JsonNode? checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(CheckedIn));
        JsonNode? embedded = JsonNode.Parse(LanOpenApi.Load());
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(checkedIn, expected), Is.True,
                $"{CheckedIn} is stale: the LAN endpoints changed. Regenerate it with ONESTOPPI_UPDATE_OPENAPI=1 (see this test's summary). Generated:\n{generated}");
            Assert.That(JsonNode.DeepEquals(embedded, checkedIn), Is.True, "the agent embeds a different openapi.json than the checked-in one");
        });
    }

    [Test]
    public async Task Generated_document_describes_every_route_and_schema()
    {
        JsonNode document = JsonNode.Parse(await GenerateAsync())!;
        JsonObject paths = document["paths"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(paths.Select(p => p.Key), Is.EquivalentTo(new[] { "/healthz", "/status", "/devices", "/api/scan", "/api/portal", "/api/logs" }));
            Assert.That(document["components"]!["schemas"]!.AsObject().Select(s => s.Key), Is.SupersetOf(new[] { "StatusReport", "DevicesReport", "HealthReport", "PortalSetupRequest", "LanError" }));
            Assert.That((string?)document["openapi"], Does.StartWith("3.1"));
        });
    }

    /// <summary>The document as the run-time generator would serve it at /openapi/v1.json, from the agent's real LAN application.</summary>
    private static async Task<string> GenerateAsync()
    {
        LanAgent agent = await LanAgent.StartAsync();
        try
        {
            // The same application with the generator added and a server that does not listen (the agent's
            // own LAN app holds the port); starting it builds the routing pipeline the generator reads.
            WebApplication app = agent.Service<LanHttpServer>().Build(builder =>
            {
                builder.Services.AddOpenApi();
                builder.Services.AddSingleton<IServer, NoServer>();
            });
            await using (app)
            {
                await app.StartAsync();
                IOpenApiDocumentProvider provider = app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1");
                OpenApiDocument document = await provider.GetOpenApiDocumentAsync();
                using var text = new StringWriter { NewLine = "\n" };
                document.SerializeAsV31(new OpenApiJsonWriter(text));
                await app.StopAsync();
                return text.ToString();
            }
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
