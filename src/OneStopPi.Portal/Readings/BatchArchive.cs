using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace OneStopPi.Portal.Readings;

/// <summary>Limits for one uploaded ZIP (readings batch or command result).</summary>
internal sealed record ArchiveLimits(long MaxEntries, long MaxEntryBytes, long MaxTotalBytes, bool FlatXmlOnly);

internal sealed record ArchiveEntry(string Name, byte[] Content);

/// <summary>
/// Opens an uploaded ZIP defensively: entry count, declared sizes and actual decompressed sizes are
/// all capped before and while inflating (zip bombs), and entry names must be plain relative names
/// (no traversal). Everything is read into memory; nothing touches the file system.
/// </summary>
internal static class BatchArchive
{
    public static async Task<IReadOnlyList<ArchiveEntry>> ReadAsync(byte[] zip, ArchiveLimits limits, CancellationToken cancellationToken)
    {
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(new MemoryStream(zip, writable: false), ZipArchiveMode.Read, leaveOpen: false,
                entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Not a ZIP archive", $"The body is not a readable ZIP archive: {e.Message}");
        }

        await using (archive.ConfigureAwait(false))
        {
            var entries = archive.Entries;
            if (entries.Count > limits.MaxEntries)
            {
                throw TooLarge($"The archive has {entries.Count} entries; at most {limits.MaxEntries} are accepted.");
            }

            long declaredTotal = 0;
            foreach (var entry in entries)
            {
                CheckName(entry.FullName, limits.FlatXmlOnly);
                if (entry.Length > limits.MaxEntryBytes)
                {
                    throw TooLarge($"Entry '{entry.FullName}' declares {entry.Length} bytes uncompressed; at most {limits.MaxEntryBytes} are accepted.");
                }

                // Deflate expands incompressible data by a few bytes per 16 KiB block at most: compressed data
                // much larger than the declared size means the header understates it (a bomb in disguise).
                if (entry.CompressedLength > entry.Length + (entry.Length / 16384 * 5) + 1024)
                {
                    throw TooLarge($"Entry '{entry.FullName}' declares {entry.Length} bytes but carries {entry.CompressedLength} compressed; its header lies.");
                }

                declaredTotal += entry.Length;
                if (declaredTotal > limits.MaxTotalBytes)
                {
                    throw TooLarge($"The archive declares more than {limits.MaxTotalBytes} bytes uncompressed.");
                }
            }

            var result = new List<ArchiveEntry>(entries.Count);
            long actualTotal = 0;
            foreach (var entry in entries)
            {
                if (entry.FullName.EndsWith('/'))
                {
                    continue; // a directory entry, allowed in result archives only (CheckName)
                }

                var content = await InflateAsync(entry, cancellationToken).ConfigureAwait(false);
                actualTotal += content.Length;
                if (actualTotal > limits.MaxTotalBytes)
                {
                    throw TooLarge($"The archive inflates to more than {limits.MaxTotalBytes} bytes.");
                }

                result.Add(new ArchiveEntry(entry.FullName, content));
            }

            if (result.Count == 0)
            {
                throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Empty archive", "The archive holds no files.");
            }

            return result;
        }
    }

    /// <summary>Inflates at most the declared length + 1 byte: an entry that inflates to more (or less) is refused.</summary>
    private static async Task<byte[]> InflateAsync(ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        var declared = entry.Length;
        var buffer = new byte[declared];
        try
        {
            var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var read = 0;
                while (read < declared)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                var probe = new byte[1];
                var extra = read == declared ? await stream.ReadAsync(probe, cancellationToken).ConfigureAwait(false) : 0;
                if (read != declared || extra != 0)
                {
                    throw TooLarge($"Entry '{entry.FullName}' declares {declared} bytes but inflates to {(extra != 0 ? "more" : read.ToString(System.Globalization.CultureInfo.InvariantCulture))}; refused.");
                }

                // The runtime stops inflating at the declared length; the CRC tells whether that was all there was.
                if (System.IO.Hashing.Crc32.HashToUInt32(buffer) != entry.Crc32)
                {
                    throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Corrupt ZIP entry",
                        $"Entry '{entry.FullName}' does not match its declared CRC-32 (truncated, tampered or its size misdeclared).");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Corrupt ZIP entry", $"Entry '{entry.FullName}' cannot be inflated: {e.Message}");
        }

        return buffer;
    }

    /// <summary>Refuses names that could escape a directory if anyone ever extracted the archive.</summary>
    private static void CheckName(string name, bool flatXmlOnly)
    {
        var bad = name.Length is 0 or > 255
            || name.StartsWith('/')
            || name.Contains('\\', StringComparison.Ordinal)
            || name.Contains(':', StringComparison.Ordinal)
            || name.Any(char.IsControl)
            || name.TrimEnd('/').Split('/').Any(segment => segment is "" or "." or "..");
        if (bad)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Unsafe entry name",
                $"Entry name '{Printable(name)}' is not a plain relative file name (absolute, '..', '\\' or ':' are refused).");
        }

        if (flatXmlOnly && (name.Contains('/', StringComparison.Ordinal) || !name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)))
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Unexpected entry",
                $"Entry '{Printable(name)}': a readings batch holds only top-level .xml files.");
        }
    }

    private static string Printable(string name) =>
        new([.. name.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);

    private static UploadRejectedException TooLarge(string detail) =>
        new(StatusCodes.Status413PayloadTooLarge, "Archive too large", detail);
}
