using System.Text.Json;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Upgrade;

/// <summary>
/// state/portal-contact.json: this process's version and id, rewritten after each heartbeat the portal
/// answered. The upgrade helper waits for the new version's one: started, ready, and through to the portal.
/// </summary>
public sealed class PortalContactFile
{
    private readonly string _path;
    private readonly string _version;
    private readonly TimeProvider _time;

    public PortalContactFile(AgentPaths paths, AgentVersion version, TimeProvider time)
    {
        _path = paths.State("portal-contact.json");
        _version = version.Value;
        _time = time;
    }

    public Task RecordAsync(CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(_path, JsonSerializer.SerializeToUtf8Bytes(new PortalContact(_version, Environment.ProcessId, _time.GetUtcNow()),
            UpgradeJsonContext.Default.PortalContact), cancellationToken);

    /// <summary>The last contact written, or null when there is none or it cannot be read.</summary>
    public static PortalContact? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), UpgradeJsonContext.Default.PortalContact);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }
}
