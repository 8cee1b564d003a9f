using System.Runtime.InteropServices;

namespace OneStopPi.Agent.State;

/// <summary>
/// Writes a file so that after a power cut it holds either the old or the new content, never a
/// mix: write a temporary file beside it, fsync it, rename over the target, fsync the directory
/// (rename(2) is atomic; the directory fsync makes the rename itself durable on ext4 and f2fs).
/// </summary>
public static partial class AtomicFile
{
    public const string TemporarySuffix = ".tmp";

    /// <summary>Owner read/write only: state files may hold tokens and SNMP passwords.</summary>
    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        WriteAsync(path, content, SecretMode, cancellationToken);

    /// <param name="mode">The new file's permissions (the upgrade helper, root, writes outcomes the service user must read).</param>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken = default)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode,
                Options = FileOptions.Asynchronous,
            };
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>Removes temporary files a crash left behind in <paramref name="directory"/>.</summary>
    public static int DeleteLeftovers(string directory)
    {
        int removed = 0;
        foreach (string leftover in Directory.EnumerateFiles(directory, "*" + TemporarySuffix))
        {
            File.Delete(leftover);
            removed++;
        }

        return removed;
    }

    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure is what matters; a stray temporary file is removed at the next start.
        }
    }

    // O_RDONLY | O_CLOEXEC: the same numbers on x64 and arm64 (O_DIRECTORY differs, and open(2)
    // of a directory read-only needs no flag).
    private const int ReadOnlyDirectory = 0x0 | 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
