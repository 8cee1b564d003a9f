using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OneStopPi.Agent.State;

/// <summary>One JSON state file, written atomically and readable by the service user only.</summary>
public sealed class JsonStateFile<T> where T : class
{
    private readonly JsonTypeInfo<T> _typeInfo;

    public JsonStateFile(string path, JsonTypeInfo<T> typeInfo)
    {
        Path = path;
        _typeInfo = typeInfo;
    }

    public string Path { get; }

    /// <summary>The stored value, or null when there is none.</summary>
    /// <exception cref="StateFileCorruptException">The file exists but is not valid.</exception>
    public T? Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, _typeInfo) ?? throw new StateFileCorruptException(Path, "it holds null");
        }
        catch (JsonException e)
        {
            throw new StateFileCorruptException(Path, e.Message, e);
        }
    }

    public Task SaveAsync(T value, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(Path, JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo), cancellationToken);
}

/// <summary>A state file that cannot be read back; the caller decides whether to start afresh.</summary>
public sealed class StateFileCorruptException : Exception
{
    public StateFileCorruptException(string path, string reason, Exception? inner = null)
        : base($"State file {path} is unreadable: {reason}", inner)
    {
        FilePath = path;
    }

    public StateFileCorruptException() { }

    public StateFileCorruptException(string message) : base(message) { }

    public StateFileCorruptException(string message, Exception innerException) : base(message, innerException) { }

    public string? FilePath { get; }
}
