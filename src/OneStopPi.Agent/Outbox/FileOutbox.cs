using System.Globalization;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Outbox;

/// <summary>
/// The outbox's disk budget and what it keeps when it is reached. No bound here ever reads the wall
/// clock: a Raspberry Pi has none until NTP sets it, and a batch written at "1970" is not 56 years old.
/// </summary>
public sealed record OutboxLimits
{
    /// <summary>
    /// The disk budget for stored batches. Reached: the oldest status batches go first, then new
    /// status batches are not queued; meter batches and command results are kept over it (they are
    /// what dealers bill from and what an operator asked for), lost only when the disk itself is full.
    /// </summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Status batches queued longer than this, on the monotonic clock (since they were queued or found on
    /// disk by this process), are dropped: a week-old printer status is no one's news. Meter batches never age out.
    /// </summary>
    public TimeSpan MaxStatusAge { get; init; } = TimeSpan.FromDays(30);
}

/// <summary>
/// A durable, ordered queue of zipped batches in one directory, one file per batch, named
/// <c>{sequence}.{kind}.{key}.zip</c> so the directory listing is the queue and the sequence its age.
/// A batch is on disk (fsynced, renamed into place) before <see cref="AppendAsync"/> returns, and leaves
/// through <see cref="Remove"/> after the portal acknowledged it, or by the rules of <see cref="OutboxLimits"/>.
/// A file that is not a well-formed batch is moved to <c>quarantine/</c> with an error, never queued.
/// Safe for one writer and one uploader.
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
    private int _statusPaused;
    private int _diskFull;

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
                _items[sequence] = new OutboxItem(sequence, kind, key, time.GetTimestamp(), new FileInfo(path).Length, path);
            }
            else
            {
                MoveToQuarantine(path, "its name is not {sequence}.{kind}.{key}.zip with a known kind and a valid key");
            }
        }

        _nextSequence = _items.Count == 0 ? 1 : _items.Keys.Max() + 1;
    }

    /// <summary>Batches dropped by the budget, the status age or a full disk since this process started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The disk budget is taken by batches that are kept (meter, command results): new status batches are not queued.</summary>
    public bool StatusPaused => Volatile.Read(ref _statusPaused) == 1;

    /// <summary>
    /// The last batch could not be stored because the disk was full (after dropping what could be dropped); cleared
    /// by the next batch stored. What is already in the outbox stays.
    /// </summary>
    public bool DiskFull => Volatile.Read(ref _diskFull) == 1;

    /// <summary>Readings are being turned away: the budget is taken (<see cref="StatusPaused"/>) or the disk is full (<see cref="DiskFull"/>).</summary>
    public bool Full => StatusPaused || DiskFull;

    public long BudgetBytes => _limits.MaxBytes;

    /// <summary>Where malformed files are moved.</summary>
    public string QuarantineDirectory => Path.Combine(_directory, "quarantine");

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

    /// <summary>
    /// Stores a batch durably; returns once it would survive a power cut. Returns null for a status
    /// batch when the budget is taken by batches that are kept (<see cref="StatusPaused"/>).
    /// </summary>
    /// <exception cref="IOException">The disk is full even after dropping every status batch: this batch is lost (logged as an error).</exception>
    public async Task<OutboxItem?> AppendAsync(OutboxItemKind kind, string key, ReadOnlyMemory<byte> zip, CancellationToken cancellationToken = default)
    {
        if (!IsValidKey(kind, key))
        {
            throw new ArgumentException($"Outbox key '{key}' must be letters, digits and '-' (a command result's: the command number).", nameof(key));
        }

        DropAgedStatus();
        if (!MakeRoom(kind, zip.Length))
        {
            // Not queued is lost too: counted with the drops the heartbeat reports.
            Interlocked.Increment(ref _dropped);
            if (Interlocked.Exchange(ref _statusPaused, 1) == 0)
            {
                LogStatusPaused(TotalBytes, _limits.MaxBytes);
            }

            return null;
        }

        long sequence;
        lock (_gate)
        {
            sequence = _nextSequence++;
        }

        string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{sequence:D15}.{kind.ToString().ToLowerInvariant()}.{key}.zip"));
        while (true)
        {
            try
            {
                await AtomicFile.WriteAsync(path, zip, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (IOException e) when (IsDiskFull(e))
            {
                // Truly full: status batches and then command results make room, oldest first; a meter batch
                // already stored is never dropped for a newer one. Nothing left to drop: this batch is lost.
                if (!DropOne([OutboxItemKind.Status, OutboxItemKind.CommandResult], "the disk is full"))
                {
                    Interlocked.Increment(ref _dropped);
                    MarkDiskFull(kind, key, zip.Length);
                    throw;
                }
            }
        }

        MarkDiskRoom();

        if (kind == OutboxItemKind.Status && Interlocked.Exchange(ref _statusPaused, 0) == 1)
        {
            LogStatusResumed();
        }

        return Admit(new OutboxItem(sequence, kind, key, _time.GetTimestamp(), zip.Length, path));
    }

    /// <summary>
    /// Stores a batch that <paramref name="write"/> writes as a stream (a command result too big to hold in memory:
    /// the logs): first to a temporary file beside the batches, then, its size known, admitted like
    /// <see cref="AppendAsync"/> and renamed into place. <paramref name="write"/> may run again after a full disk made room.
    /// </summary>
    /// <exception cref="IOException">The disk is full even after dropping every status batch and command result: this batch is lost (logged as an error).</exception>
    public async Task<OutboxItem?> AppendStreamAsync(OutboxItemKind kind, string key, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!IsValidKey(kind, key))
        {
            throw new ArgumentException($"Outbox key '{key}' must be letters, digits and '-' (a command result's: the command number).", nameof(key));
        }

        string temporary = Path.Combine(_directory, $".{kind.ToString().ToLowerInvariant()}.{key}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
        try
        {
            long size = await WriteTemporaryAsync(temporary, kind, key, write, cancellationToken).ConfigureAwait(false);
            DropAgedStatus();
            if (!MakeRoom(kind, size))
            {
                Interlocked.Increment(ref _dropped);
                return null;
            }

            long sequence;
            lock (_gate)
            {
                sequence = _nextSequence++;
            }

            string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{sequence:D15}.{kind.ToString().ToLowerInvariant()}.{key}.zip"));
            File.Move(temporary, path);
            MarkDiskRoom();
            return Admit(new OutboxItem(sequence, kind, key, _time.GetTimestamp(), size, path));
        }
        finally
        {
            File.Delete(temporary); // gone already once moved into place
        }
    }

    private async Task<long> WriteTemporaryAsync(string temporary, OutboxItemKind kind, string key, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = AtomicFile.SecretMode, Options = FileOptions.Asynchronous,
        };
        while (true)
        {
            try
            {
                await using var stream = new FileStream(temporary, options);
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
                return stream.Length;
            }
            catch (IOException e) when (IsDiskFull(e))
            {
                if (!DropOne([OutboxItemKind.Status, OutboxItemKind.CommandResult], "the disk is full"))
                {
                    Interlocked.Increment(ref _dropped);
                    MarkDiskFull(kind, key, new FileInfo(temporary).Exists ? new FileInfo(temporary).Length : 0);
                    throw;
                }
            }
        }
    }

    /// <summary>A batch lost to a full disk: an error each time (each is a loss), the flag the heartbeat reports.</summary>
    private void MarkDiskFull(OutboxItemKind kind, string key, long bytes)
    {
        Interlocked.Exchange(ref _diskFull, 1);
        LogLostToFullDisk(kind, key, bytes, _directory);
    }

    private void MarkDiskRoom()
    {
        if (Interlocked.Exchange(ref _diskFull, 0) == 1)
        {
            LogDiskRoom(_directory);
        }
    }

    private OutboxItem Admit(OutboxItem item)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _items[item.Sequence] = item;
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

        if (StatusPaused && TotalBytes < _limits.MaxBytes && Interlocked.Exchange(ref _statusPaused, 0) == 1)
        {
            LogStatusResumed();
        }
    }

    /// <summary>
    /// Takes a batch that can never be sent as it is out of the queue, into <see cref="QuarantineDirectory"/> for a
    /// technician (logged as an error). If even the move fails, the file stays where it is and is looked at again
    /// after a restart; the queue moves on either way.
    /// </summary>
    public void Quarantine(OutboxItem item, string reason)
    {
        lock (_gate)
        {
            _items.Remove(item.Sequence);
        }

        MoveToQuarantine(item.Path, reason);
    }

    /// <summary>Drops status batches queued longer than <see cref="OutboxLimits.MaxStatusAge"/> (monotonic time).</summary>
    private void DropAgedStatus()
    {
        while (true)
        {
            OutboxItem? expired;
            lock (_gate)
            {
                expired = _items.Values.FirstOrDefault(i => i.Kind == OutboxItemKind.Status && _time.GetElapsedTime(i.Queued) > _limits.MaxStatusAge);
            }

            if (expired is null)
            {
                return;
            }

            Drop(expired, $"it waited longer than {_limits.MaxStatusAge.TotalDays:F0} days");
        }
    }

    /// <summary>
    /// Makes room in the budget for <paramref name="incoming"/> more bytes by dropping status batches, oldest first.
    /// False when the batch is a status batch and there is still no room; batches that are kept go in over the budget.
    /// </summary>
    private bool MakeRoom(OutboxItemKind kind, long incoming)
    {
        while (TotalBytes + incoming > _limits.MaxBytes)
        {
            if (!DropOne([OutboxItemKind.Status], $"the outbox is over its budget of {_limits.MaxBytes} bytes"))
            {
                if (kind != OutboxItemKind.Status)
                {
                    LogOverBudget(kind, TotalBytes + incoming, _limits.MaxBytes);
                    return true;
                }

                return false;
            }
        }

        return true;
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
        LogDropped(item.Kind, item.Key, item.Sequence, reason);
    }

    private void MoveToQuarantine(string path, string reason)
    {
        string target = Path.Combine(QuarantineDirectory, Path.GetFileName(path));
        try
        {
            Directory.CreateDirectory(QuarantineDirectory);
            File.Move(path, target, overwrite: true);
            AtomicFile.SyncDirectory(_directory);
            LogQuarantined(path, reason, QuarantineDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogQuarantineFailed(path, reason, e.Message);
        }
    }

    private static bool IsValidKey(OutboxItemKind kind, string key) =>
        key.Length > 0 && !key.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        && (kind != OutboxItemKind.CommandResult || OutboxItem.TryParseCommandId(key, out _));

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
        return IsValidKey(kind, key);
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogLeftovers(int count)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(2001, nameof(LogLeftovers)),
                "Outbox: removed {Count} partly written file(s) left by an interrupted write", count);
        }
    }

    private void LogQuarantined(string path, string reason, string directory)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(2002, nameof(LogQuarantined)),
                "Outbox: {Path} is not a batch that can be sent ({Reason}); moved to {Directory}, the queue goes on", path, reason, directory);
        }
    }

    private void LogDropped(OutboxItemKind kind, string key, long sequence, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(2003, nameof(LogDropped)),
                "Outbox: dropped {Kind} batch {Key} (sequence {Sequence}) because {Reason}", kind, key, sequence, reason);
        }
    }

    private void LogQuarantineFailed(string path, string reason, string error)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(2004, nameof(LogQuarantineFailed)),
                "Outbox: {Path} is not a batch that can be sent ({Reason}) and could not be moved aside ({Error}); skipped until the next start",
                path, reason, error);
        }
    }

    private void LogStatusPaused(long bytes, long budget)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(2005, nameof(LogStatusPaused)),
                "Outbox: {Bytes} bytes of meter batches and command results fill the budget of {Budget} bytes; new status readings are not queued until the portal takes some",
                bytes, budget);
        }
    }

    private void LogStatusResumed()
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(2006, nameof(LogStatusResumed)),
                "Outbox: there is room again; status readings are queued");
        }
    }

    private void LogOverBudget(OutboxItemKind kind, long bytes, long budget)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(2007, nameof(LogOverBudget)),
                "Outbox: keeping {Kind} batch over the budget ({Bytes} of {Budget} bytes); only a full disk drops it", kind, bytes, budget);
        }
    }

    private void LogLostToFullDisk(OutboxItemKind kind, string key, long bytes, string directory)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(2008, nameof(LogLostToFullDisk)),
                "Outbox: the disk is full ({Directory}) and nothing else is left to drop; {Kind} batch {Key} ({Bytes} bytes) is lost, the batches already stored are kept",
                directory, kind, key, bytes);
        }
    }

    private void LogDiskRoom(string directory)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(2009, nameof(LogDiskRoom)),
                "Outbox: the disk has room again ({Directory}); batches are stored", directory);
        }
    }
}
