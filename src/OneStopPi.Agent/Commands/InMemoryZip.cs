using System.IO.Compression;

namespace OneStopPi.Agent.Commands;

/// <summary>A small ZIP built in memory: a reading batch, a walk, the LAN face's log download.</summary>
public static class InMemoryZip
{
    public static byte[] Of(IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] content) in entries)
            {
                using Stream entry = archive.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(content);
            }
        }

        return buffer.ToArray();
    }
}
