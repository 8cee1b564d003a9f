using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Agent.Cli;

/// <summary>Parses HOST[:PORT] as technicians type it: 10.0.0.5, 10.0.0.5:1161, [fe80::1]:161, printer.local.</summary>
internal static class HostEndPoint
{
    public const int SnmpPort = 161;

    public static async Task<IPEndPoint> ResolveAsync(string text, CancellationToken cancellationToken)
    {
        (string host, int port) = Split(text);
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return new IPEndPoint(address, port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new CliUsageException($"cannot resolve host '{host}': {e.Message}");
        }

        IPAddress chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new CliUsageException($"host '{host}' has no address");
        return new IPEndPoint(chosen, port);
    }

    public static (string Host, int Port) Split(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            throw new CliUsageException("empty host");
        }

        if (text[0] == '[')
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new CliUsageException($"'{text}': missing ']'");
            }

            string inner = text[1..close];
            string rest = text[(close + 1)..];
            return rest.Length == 0 ? (inner, SnmpPort)
                : rest[0] == ':' ? (inner, ParsePort(rest[1..], text))
                : throw new CliUsageException($"'{text}' is not HOST[:PORT]");
        }

        int colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            return (text[..colon], ParsePort(text[(colon + 1)..], text));
        }

        return (text, SnmpPort); // a bare IPv6 address has several colons and no port
    }

    private static int ParsePort(string port, string whole) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is > 0 and <= 65535
            ? value
            : throw new CliUsageException($"'{whole}': port must be 1..65535");
}

/// <summary>A command line the user got wrong: exit code 2 and a one-line reason.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message) : base(message) { }

    public CliUsageException() { }

    public CliUsageException(string message, Exception innerException) : base(message, innerException) { }
}
