using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Agent.Tests.Service;

// The operator API's JSON as these tests read and write it (docs/portal-api.md, "Operator API"). The
// portal is a process here: its types are not referenced.

internal sealed record SiteCreated(int SiteId, string Name, string EnrolmentKey);

internal sealed record V3User(string User, string? AuthProtocol, string? AuthPassword, string? PrivProtocol, string? PrivPassword, string? Context = null);

internal sealed record SiteConfigUpdate(
    IReadOnlyList<string>? Ranges = null,
    IReadOnlyList<string>? Exclusions = null,
    IReadOnlyList<string>? Communities = null,
    IReadOnlyList<V3User>? V3Users = null,
    string? MeterTime = null,
    string? TimeZone = null,
    int? StatusIntervalMinutes = null,
    int? CommandPollSeconds = null,
    string? LogMode = null,
    IReadOnlyList<string>? MeterTimes = null);

internal sealed record SiteConfigView(int SiteId, long Version, IReadOnlyList<string> Ranges);

internal sealed record AgentView(Guid Id, string HardwareId, int? SiteId, DateTime? LastSeenAt, DateTime? LastHeartbeatAt, DateTime? LastMeterScanAt,
    int? OutboxDepth, long? DroppedReadings, bool? OutboxFull = null, bool? Silent = null);

internal sealed record CommandView(long Id, Guid AgentId, int Type, string TypeName, string? Parameter, string State, DateTime CreatedAt,
    DateTime? AcknowledgedAt, DateTime? CompletedAt, string? Message, long? ResultSize)
{
    public bool Finished => State is "completed" or "failed";
}

internal sealed record CounterView(string Name, long Value, string Oid);

internal sealed record DeviceView(long Id, int SiteId, string Vendor, string? Model, string? Serial, string? Mac, string Ip, DateTime LastSeenAt,
    DateTime? MetersAt, IReadOnlyList<CounterView> Counters, IReadOnlyList<DeviceSightingView>? SeenBy = null);

/// <summary>One box's last answered reading of a device, newest first.</summary>
internal sealed record DeviceSightingView(Guid AgentId, string Box, DateTime LastSeenAt, string Ip, bool Silent);

internal sealed record CounterHistoryPoint(DateTime At, IReadOnlyList<CounterView> Counters);

/// <summary>The portal's operator API (/api/operator/v1) with the operator token.</summary>
internal sealed class OperatorApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly HttpClient _http;

    public OperatorApi(HttpClient http) => _http = http;

    public async Task<SiteCreated> CreateSiteAsync(string name, string timeZone = "UTC") =>
        await SendAsync<SiteCreated>(HttpMethod.Post, "sites", new { name, timeZone }).ConfigureAwait(false);

    public async Task<SiteConfigView> ConfigureAsync(int siteId, SiteConfigUpdate update) =>
        await SendAsync<SiteConfigView>(HttpMethod.Patch, $"sites/{siteId}/config", update).ConfigureAwait(false);

    /// <summary>PATCH that the portal refuses: returns the status and problem text.</summary>
    public async Task<(HttpStatusCode Status, string Body)> TryConfigureAsync(int siteId, SiteConfigUpdate update)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/operator/v1/sites/{siteId}/config") { Content = JsonContent.Create(update, options: Json) };
        using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    public async Task<AgentView[]> AgentsAsync() => await SendAsync<AgentView[]>(HttpMethod.Get, "agents").ConfigureAwait(false);

    /// <summary>Waits for the agent with this hardware id to enrol; returns it.</summary>
    public Task<AgentView> WaitForAgentAsync(string hardwareId, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(async () => (await AgentsAsync().ConfigureAwait(false)).FirstOrDefault(a => a.HardwareId == hardwareId),
            timeout ?? TimeSpan.FromSeconds(60), $"agent {hardwareId} to enrol");

    public async Task AssignAsync(Guid agentId, int siteId) =>
        await SendAsync<AgentView>(HttpMethod.Post, $"agents/{agentId}/assign", new { siteId }).ConfigureAwait(false);

    public async Task<CommandView> QueueCommandAsync(Guid agentId, int type, string? parameter = null) =>
        await SendAsync<CommandView>(HttpMethod.Post, $"agents/{agentId}/commands", new { type, parameter }).ConfigureAwait(false);

    public async Task<CommandView[]> CommandsAsync(Guid agentId) => await SendAsync<CommandView[]>(HttpMethod.Get, $"agents/{agentId}/commands").ConfigureAwait(false);

    public async Task<CommandView> CommandAsync(Guid agentId, long commandId) =>
        (await CommandsAsync(agentId).ConfigureAwait(false)).Single(c => c.Id == commandId);

    /// <summary>Waits until the command is completed or failed; returns it.</summary>
    public Task<CommandView> WaitForCommandAsync(Guid agentId, long commandId, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(async () => await CommandAsync(agentId, commandId).ConfigureAwait(false) is { Finished: true } c ? c : null,
            timeout ?? TimeSpan.FromSeconds(60), $"command {commandId} to finish");

    /// <summary>The result ZIP of a command (types 3 and 6), entry name → text.</summary>
    public async Task<Dictionary<string, string>> CommandResultAsync(long commandId)
    {
        using HttpResponseMessage response = await _http.GetAsync($"api/operator/v1/commands/{commandId}/result").ConfigureAwait(false);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false)), ZipArchiveMode.Read);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            entries[entry.FullName] = await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        return entries;
    }

    public async Task<DeviceView[]> DevicesAsync(int siteId) => await SendAsync<DeviceView[]>(HttpMethod.Get, $"sites/{siteId}/devices").ConfigureAwait(false);

    public async Task<CounterHistoryPoint[]> HistoryAsync(long deviceId) =>
        await SendAsync<CounterHistoryPoint[]>(HttpMethod.Get, $"devices/{deviceId}/history").ConfigureAwait(false);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, $"api/operator/v1/{path}");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        }

        return JsonSerializer.Deserialize<T>(text, Json) ?? throw new InvalidOperationException($"{method} {path}: empty answer");
    }
}

/// <summary>Polls until a condition holds, within a deadline (the processes under test run on their own time; the deadline is a hang guard, stretched by <see cref="Patience"/>).</summary>
internal static class Eventually
{
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, Func<string>? context = null)
        where T : class
    {
        timeout = Patience.Stretch(timeout);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe().ConfigureAwait(false) is { } value)
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.{(context is null ? "" : "\n" + context())}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, Func<string>? context = null) =>
        await ValueAsync(async () => await probe().ConfigureAwait(false) ? "" : null, timeout, what, context).ConfigureAwait(false);

    public static Task TrueAsync(Func<bool> probe, TimeSpan timeout, string what, Func<string>? context = null) =>
        TrueAsync(() => Task.FromResult(probe()), timeout, what, context);
}
