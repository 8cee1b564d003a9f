using System.Globalization;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Outbox;

/// <summary>Bounds of the outbox and what it keeps when they are reached.</summary>
public sealed record OutboxLimits
{
    /// <summary>Total size of stored batches; over it the oldest status batches go first, meter batches last.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Batches older than this are dropped (status first, then the rest), whatever the size.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(90);
}

/// <summary>
/// A durable, ordered queue of zipped batches in one directory, one file per batch, named
/// <c>{sequence}.{kind}.{key}.zip</c> so the directory listing is the queue. A batch is on disk
/// (fsynced, renamed into place) before <see cref="AppendAsync"/> returns, and leaves only through
/// <see cref="Remove"/>, after the portal acknowledged it. Safe for one writer and one uploader.
/// </summary>
public sealed partial class FileOutbox
{
    private readonly string _directory;
    private readonly OutboxLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<FileOutbox> _logger;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, OutboxItem> _items = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextSequence;
    private long _dropped;

    public FileOutbox(string directory, OutboxLimits limits, TimeProvider time, ILogger<FileOutbox> logger)
    {
        _directory = directory;
        _limits = limits;
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(directory);
        int leftovers = AtomicFile.DeleteLeftovers(directory);
        if (leftovers > 0)
        {
            LogLeftovers(leftovers);
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*.zip"))
        {
            if (TryParseName(path, out long sequence, out OutboxItemKind kind, out string? key))
            {
                var info = new FileInfo(path);
                _items[sequence] = new OutboxItem(sequence, kind, key, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), info.Length, path);
            }
            else
            {
                LogForeignFile(path);
            }
        }

        _nextSequence = _items.Count == 0 ? 1 : _items.Keys.Max() + 1;
    }

    /// <summary>Batches dropped by the size/age policy since this process started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public long TotalBytes
    {
        get
        {
            lock (_gate)
            {
                return _items.Values.Sum(i => i.Size);
            }
        }
    }

    /// <summary>Stores a batch durably; returns once it would survive a power cut.</summary>
    public async Task<OutboxItem> AppendAsync(OutboxItemKind kind, string key, ReadOnlyMemory<byte> zip, CancellationToken cancellationToken = default)
    {
        if (key.Length == 0 || key.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"))
        {
            throw new ArgumentException($"Outbox key '{key}' must be letters, digits and '-'.", nameof(key));
        }

        long sequence;
        lock (_gate)
        {
            sequence = _nextSequence++;
        }

        string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{sequence:D15}.{kind.ToString().ToLowerInvariant()}.{key}.zip"));
        EnforceLimits(zip.Length);
        try
        {
            await AtomicFile.WriteAsync(path, zip, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (IsDiskFull(e) && DropOne(preferKinds: [OutboxItemKind.Status, OutboxItemKind.CommandResult], reason: "the disk is full"))
        {
            // Room was made by dropping the oldest status batch; one more try, then the error stands.
            await AtomicFile.WriteAsync(path, zip, cancellationToken).ConfigureAwait(false);
        }

        var item = new OutboxItem(sequence, kind, key, _time.GetUtcNow(), zip.Length, path);
        TaskCompletionSource signal;
        lock (_gate)
        {
            _items[sequence] = item;
            signal = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
        return item;
    }

    /// <summary>The oldest batch, or null when the outbox is empty.</summary>
    public OutboxItem? PeekOldest()
    {
        lock (_gate)
        {
            foreach (OutboxItem item in _items.Values)
            {
                return item;
            }

            return null;
        }
    }

    /// <summary>Waits until a batch is appended or the timeout passes (the uploader's idle wait).</summary>
    public async Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task appended;
        lock (_gate)
        {
            appended = _appended.Task;
        }

        try
        {
            await appended.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Idle wait over; the caller looks again.
        }
    }

    public IReadOnlyList<OutboxItem> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>Removes an acknowledged batch.</summary>
    public void Remove(OutboxItem item)
    {
        File.Delete(item.Path);
        AtomicFile.SyncDirectory(_directory);
        lock (_gate)
        {
            _items.Remove(item.Sequence);
        }
    }

    /// <summary>Applies the age and size bounds, making room for <paramref name="incoming"/> more bytes.</summary>
    private void EnforceLimits(long incoming)
    {
        DateTimeOffset oldestAllowed = _time.GetUtcNow() - _limits.MaxAge;
        while (true)
        {
            OutboxItem? expired;
            lock (_gate)
            {
                expired = _items.Values.FirstOrDefault(i => i.Created < oldestAllowed);
            }

            if (expired is null)
            {
                break;
            }

            Drop(expired, $"it is older than {_limits.MaxAge.TotalDays:F0} days");
        }

        while (TotalBytes + incoming > _limits.MaxBytes
            && DropOne([OutboxItemKind.Status, OutboxItemKind.CommandResult, OutboxItemKind.Meter], $"the outbox is over {_limits.MaxBytes} bytes"))
        {
        }
    }

    /// <summary>Drops the oldest batch of the first kind in <paramref name="preferKinds"/> that has one.</summary>
    private bool DropOne(OutboxItemKind[] preferKinds, string reason)
    {
        foreach (OutboxItemKind kind in preferKinds)
        {
            OutboxItem? victim;
            lock (_gate)
            {
                victim = _items.Values.FirstOrDefault(i => i.Kind == kind);
            }

            if (victim is not null)
            {
                Drop(victim, reason);
                return true;
            }
        }

        return false;
    }

    private void Drop(OutboxItem item, string reason)
    {
        Remove(item);
        Interlocked.Increment(ref _dropped);
        LogDropped(item.Kind, item.Key, item.Created, reason);
    }

    private static bool IsDiskFull(IOException e) => e.HResult == 28 || e.HResult == unchecked((int)0x80070070) || e.Message.Contains("No space left", StringComparison.Ordinal);

    private static bool TryParseName(string path, out long sequence, out OutboxItemKind kind, out string key)
    {
        sequence = 0;
        kind = default;
        key = string.Empty;
        string[] parts = Path.GetFileName(path).Split('.');
        if (parts.Length != 4 || parts[3] != "zip" || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            || !Enum.TryParse(parts[1], ignoreCase: true, out kind) || !Enum.IsDefined(kind))
        {
            return false;
        }

        key = parts[2];
        return key.Length > 0;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Outbox: removed {Count} partly written file(s) left by an interrupted write")]
    private partial void LogLeftovers(int count);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Outbox: ignoring {Path}, which is not an outbox batch")]
    private partial void LogForeignFile(string path);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Outbox: dropped {Kind} batch {Key} from {Created:u} because {Reason}")]
    private partial void LogDropped(OutboxItemKind kind, string key, DateTimeOffset created, string reason);
}
