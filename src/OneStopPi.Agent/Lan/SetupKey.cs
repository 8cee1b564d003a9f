using System.Security.Cryptography;
using System.Text;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

/// <summary>
/// The box's local setup key: 80 random bits as 16 Crockford base32 characters in groups of four
/// (no I, L, O or U, so it reads off a label), generated at first start into state/setup-key (0600).
/// Every LAN request that changes something must carry it. It is never logged nor returned.
/// </summary>
public sealed class SetupKey
{
    public const string FileName = "setup-key";
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Characters = 16;
    private readonly byte[] _normalised;

    private SetupKey(string value)
    {
        Value = value;
        _normalised = Encoding.ASCII.GetBytes(Normalise(value));
    }

    /// <summary>The key as printed: XXXX-XXXX-XXXX-XXXX. For the label and the portal only.</summary>
    public string Value { get; }

    /// <summary>Reads state/setup-key, creating it (0600) on first start; a damaged file is replaced.</summary>
    public static SetupKey LoadOrCreate(AgentPaths paths)
    {
        string path = paths.State(FileName);
        if (File.Exists(path))
        {
            string existing = File.ReadAllText(path).Trim();
            if (Normalise(existing).Length == Characters)
            {
                if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != AtomicFile.SecretMode)
                {
                    File.SetUnixFileMode(path, AtomicFile.SecretMode);
                }

                return new SetupKey(existing);
            }
        }

        var key = new SetupKey(Generate());
        WriteOnce(path, Encoding.ASCII.GetBytes(key.Value + "\n"));
        return key;
    }

    /// <summary>Constant-time check of a presented key (case, spaces and dashes ignored).</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        if (presented.Length > 64)
        {
            return false;
        }

        Span<byte> candidate = stackalloc byte[64];
        int length = 0;
        foreach (char c in presented)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            candidate[length++] = (byte)char.ToUpperInvariant(c);
        }

        return CryptographicOperations.FixedTimeEquals(candidate[..length], _normalised);
    }

    /// <summary>Never the key itself, should it end up in a log template.</summary>
    public override string ToString() => "(setup key)";

    /// <summary>
    /// Once, at start-up, while the host is being built (synchronous there): temporary file created 0600,
    /// fsynced, renamed into place, as <see cref="AtomicFile"/> does.
    /// </summary>
    private static void WriteOnce(string path, byte[] content)
    {
        string temporary = path + "." + Guid.NewGuid().ToString("N") + AtomicFile.TemporarySuffix;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = AtomicFile.SecretMode };
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static string Generate()
    {
        Span<char> chars = stackalloc char[Characters];
        for (int i = 0; i < Characters; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return string.Create(19, chars.ToString(), static (span, s) =>
        {
            for (int i = 0, j = 0; i < s.Length; i++)
            {
                if (i > 0 && i % 4 == 0)
                {
                    span[j++] = '-';
                }

                span[j++] = s[i];
            }
        });
    }

    private static string Normalise(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (Alphabet.Contains(char.ToUpperInvariant(c), StringComparison.Ordinal))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
            else if (c is not ('-' or ' '))
            {
                return string.Empty;
            }
        }

        return builder.ToString();
    }
}
