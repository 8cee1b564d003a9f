using System.Text.Json;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Agent.State;

/// <summary>The device registry on disk (state/devices.json), written atomically (<see cref="AtomicFile"/>).</summary>
public static class RegistryFile
{
    /// <summary>The registry, empty when the file does not exist.</summary>
    /// <exception cref="StateFileCorruptException">The file exists but cannot be read back.</exception>
    public static Task<DeviceRegistry> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Load(path));
    }

    /// <summary>The registry, empty when the file does not exist (a small local file: read synchronously).</summary>
    /// <exception cref="StateFileCorruptException">The file exists but cannot be read back.</exception>
    public static DeviceRegistry Load(string path)
    {
        var file = new JsonStateFile<DeviceRegistryDocument>(path, DeviceRegistryJsonContext.Default.DeviceRegistryDocument);
        DeviceRegistryDocument? document = file.Load();
        if (document is not null && document.Version != DeviceRegistryDocument.CurrentVersion)
        {
            throw new StateFileCorruptException(path, $"registry version {document.Version}, expected {DeviceRegistryDocument.CurrentVersion}");
        }

        return new DeviceRegistry(document?.Devices ?? []);
    }

    public static Task SaveAsync(string path, DeviceRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(registry.ToDocument(), DeviceRegistryJsonContext.Default.DeviceRegistryDocument), cancellationToken);
    }
}
