using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.Collection.Discovery;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// The agent serves a checked-in OpenAPI document (src/OneStopPi.Agent/Lan/Http/openapi.json); the LAN face is the
/// BCL's HttpListener with a route table of its own, so nothing generates the document. These tests hold it to what
/// the agent does: every route it serves is documented and every documented route is served; every documented schema
/// is the shape the agent's JSON metadata writes (property names, objects, arrays, references); and the answers of a
/// running agent validate against the schema documented for their status.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OpenApiDocumentTests
{
    private static readonly string CheckedIn = Path.Combine(RepoPaths.Root, "src", "OneStopPi.Agent", "Lan", "Http", "openapi.json");

    private static JsonNode Document() => JsonNode.Parse(File.ReadAllText(CheckedIn))!;

    [Test]
    public void Served_document_is_the_checked_in_one()
    {
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(LanOpenApi.Load()), Document()), Is.True, "the agent embeds a different openapi.json than the checked-in one");
        Assert.That((string?)Document()["openapi"], Does.StartWith("3.1"));
    }

    [Test]
    public async Task Every_served_route_is_documented_and_every_documented_route_is_served()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        IReadOnlyList<LanRoute> routes = agent.Service<LanEndpoints>().Routes;
        JsonObject paths = Document()["paths"]!.AsObject();
        IEnumerable<string> documented = paths.SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"));
        Assert.Multiple(() =>
        {
            Assert.That(routes.Where(r => r.Documented).Select(r => $"{r.Method} {r.Path}"), Is.EquivalentTo(documented));
            Assert.That(routes.Where(r => !r.Documented).Select(r => r.Path), Is.EquivalentTo(new[] { "/", LanOpenApi.Path }), "only the page and the document itself stay out of it");
            Assert.That(routes.Where(r => r.Setup).Select(r => r.Path), Has.All.StartWith("/api/"));
            foreach (LanRoute route in routes.Where(r => r.Documented))
            {
                JsonNode operation = paths[route.Path]![route.Method.ToLowerInvariant()]!;
                bool setupTag = operation["tags"]!.AsArray().Any(t => ((string)t!).StartsWith("setup", StringComparison.Ordinal));
                Assert.That(setupTag, Is.EqualTo(route.Setup), $"{route.Path}: documented as needing the setup key exactly when it does");
            }
        });
    }

    /// <summary>Each schema the document names is the object the agent's JSON metadata describes for the type of that name, recursively.</summary>
    [TestCase(typeof(StatusReport))]
    [TestCase(typeof(DevicesReport))]
    [TestCase(typeof(HealthReport))]
    [TestCase(typeof(PortalSetupRequest))]
    [TestCase(typeof(LanAccepted))]
    [TestCase(typeof(LanError))]
    public void Documented_schema_is_the_shape_the_agent_writes(Type type)
    {
        JsonObject schemas = Document()["components"]!["schemas"]!.AsObject();
        var seen = new HashSet<Type>();
        CompareObject(LanExchange.Json.GetTypeInfo(type), schemas, seen);
        Assert.That(seen, Has.Count.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Answers_validate_against_their_documented_schemas()
    {
        RegisteredDevice device = new() { Key = "serial:ACME:S1", Ip = "127.0.83.200", Vendor = "ACME", Model = "Laser 1", Serial = "S1", LastSeen = DateTimeOffset.UtcNow };
        await using LanAgent agent = await LanAgent.StartAsync(devices: [device]);
        using HttpClient client = agent.ClientFrom("127.0.83.120");
        JsonNode document = Document();
        var checkedAnswers = new List<string>();

        async Task CheckAsync(HttpMethod method, string path, string? key = null, string? json = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using HttpResponseMessage response = await client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            int status = (int)response.StatusCode;
            JsonNode? answer = document["paths"]![path]![method.Method.ToLowerInvariant()]!["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            Assert.That(answer, Is.Not.Null, $"{method} {path} answered {status}, which the document does not list: {body}");
            JsonNode schema = answer!["content"]!["application/json"]!["schema"]!;
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            var errors = new List<string>();
            Validate(JsonNode.Parse(body), schema, document, "$", errors);
            Assert.That(errors, Is.Empty, $"{method} {path} {status}: {body}");
            checkedAnswers.Add($"{method} {path} {status}");
        }

        await CheckAsync(HttpMethod.Get, "/healthz");
        await CheckAsync(HttpMethod.Get, "/status");
        await CheckAsync(HttpMethod.Get, "/devices");
        await CheckAsync(HttpMethod.Post, "/api/scan", agent.SetupKey);
        await CheckAsync(HttpMethod.Put, "/api/portal", agent.SetupKey, "{\"portalUrl\":\"http://plain.example/\",\"enrolmentKey\":\"k\"}");
        Assert.That(checkedAnswers, Is.EqualTo(new[] { "GET /healthz 200", "GET /status 200", "GET /devices 200", "POST /api/scan 409", "PUT /api/portal 400" }));
    }

    private static void CompareObject(JsonTypeInfo info, JsonObject schemas, HashSet<Type> seen)
    {
        if (!seen.Add(info.Type))
        {
            return;
        }

        JsonNode? schema = schemas[info.Type.Name];
        Assert.That(schema, Is.Not.Null, $"no schema {info.Type.Name} in the document");
        Assert.That((string?)schema!["type"], Is.EqualTo("object"), info.Type.Name);
        JsonObject properties = schema["properties"]!.AsObject();
        Assert.That(properties.Select(p => p.Key), Is.EquivalentTo(info.Properties.Select(p => p.Name)), $"the properties of {info.Type.Name}");
        foreach (JsonPropertyInfo property in info.Properties)
        {
            JsonNode documented = properties[property.Name]!;
            JsonTypeInfo propertyInfo = LanExchange.Json.GetTypeInfo(property.PropertyType);
            string where = $"{info.Type.Name}.{property.Name}";
            switch (propertyInfo.Kind)
            {
                case JsonTypeInfoKind.Object:
                    Assert.That(Reference(documented), Is.EqualTo(propertyInfo.Type.Name), where);
                    CompareObject(propertyInfo, schemas, seen);
                    break;
                case JsonTypeInfoKind.Enumerable:
                    Assert.That(Types(documented), Does.Contain("array"), where);
                    JsonTypeInfo element = LanExchange.Json.GetTypeInfo(propertyInfo.ElementType!);
                    if (element.Kind == JsonTypeInfoKind.Object)
                    {
                        Assert.That(Reference(documented["items"]!), Is.EqualTo(element.Type.Name), where);
                        CompareObject(element, schemas, seen);
                    }

                    break;
                default:
                    Assert.That(Types(documented), Has.None.EqualTo("object").And.None.EqualTo("array"), where);
                    break;
            }
        }
    }

    private static string? Reference(JsonNode schema) =>
        ((string?)schema["$ref"] ?? schema["oneOf"]?.AsArray().Select(o => (string?)o!["$ref"]).SingleOrDefault(r => r is not null))?.Split('/')[^1];

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => (string)t!)],
        JsonValue one => [(string)one!],
        _ => [],
    };

    /// <summary>The parts of JSON Schema the document uses: $ref, oneOf, type (one or several), properties, required, items.</summary>
    private static void Validate(JsonNode? value, JsonNode schema, JsonNode document, string at, List<string> errors)
    {
        if ((string?)schema["$ref"] is { } reference)
        {
            Validate(value, document["components"]!["schemas"]![reference.Split('/')[^1]]!, document, at, errors);
            return;
        }

        if (schema["oneOf"] is JsonArray choices)
        {
            if (!choices.Any(c => { var e = new List<string>(); Validate(value, c!, document, at, e); return e.Count == 0; }))
            {
                errors.Add($"{at}: matches none of oneOf");
            }

            return;
        }

        string[] types = Types(schema);
        string actual = value switch
        {
            null => "null",
            JsonObject => "object",
            JsonArray => "array",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValue v when v.TryGetValue(out long _) => "integer",
            _ => "number",
        };
        if (types.Length > 0 && !types.Contains(actual) && !(actual == "integer" && types.Contains("number")))
        {
            errors.Add($"{at}: {actual}, documented {string.Join("|", types)}");
            return;
        }

        if (value is JsonObject obj)
        {
            foreach (string required in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
            {
                if (!obj.ContainsKey(required))
                {
                    errors.Add($"{at}.{required}: required, missing");
                }
            }

            JsonObject? properties = schema["properties"]?.AsObject();
            foreach ((string name, JsonNode? child) in obj)
            {
                if (properties?[name] is not { } property)
                {
                    errors.Add($"{at}.{name}: not documented");
                    continue;
                }

                Validate(child, property, document, $"{at}.{name}", errors);
            }
        }
        else if (value is JsonArray array && schema["items"] is { } items)
        {
            for (int i = 0; i < array.Count; i++)
            {
                Validate(array[i], items, document, $"{at}[{i}]", errors);
            }
        }
    }
}
