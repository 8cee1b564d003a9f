using System.IO.Compression;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// The log files as a ZIP written to a stream (the outbox's file for the portal's command, the HTTP response for
/// the LAN face): each file is copied into its entry as it is read, so a week of debug logs is never held in memory.
/// </summary>
public static class LogArchive
{
    /// <summary>Every file of <paramref name="directory"/> as an entry of a ZIP written to <paramref name="destination"/>; returns how many.</summary>
    public static async Task<int> WriteZipAsync(string directory, Stream destination, CancellationToken cancellationToken)
    {
        int files = 0;
        await using var archive = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            // The active file is open for writing by Serilog: share it.
            await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous);
            await using Stream entry = await archive.CreateEntry(Path.GetFileName(path), CompressionLevel.SmallestSize).OpenAsync(cancellationToken).ConfigureAwait(false);
            await source.CopyToAsync(entry, cancellationToken).ConfigureAwait(false);
            files++;
        }

        return files;
    }
}
