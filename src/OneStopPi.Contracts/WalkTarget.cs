using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace OneStopPi.Contracts;

/// <summary>
/// The walk-mib command's parameter: <c>IP[:port] [start OID]</c> (an IPv6 address with a port in brackets,
/// <c>[fd00::5]:1161</c>). The port defaults to 161, the start to 1.3.6.1. The portal checks a queued command
/// with the same parser the agent runs it with.
/// </summary>
public sealed record WalkTarget(IPEndPoint EndPoint, string StartOid)
{
    public const int DefaultPort = 161;
    public const string DefaultStartOid = "1.3.6.1";

    public static bool TryParse(string? parameter, [NotNullWhen(true)] out WalkTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        string[] words = (parameter ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is < 1 or > 2 || !IPEndPoint.TryParse(words[0], out IPEndPoint? endPoint) || HasEmptyPort(words[0]))
        {
            error = $"walk-mib needs an IP address, optionally with :port, then optionally a space and the OID to start from; '{parameter}' is not that";
            return false;
        }

        string start = words.Length == 2 ? words[1] : DefaultStartOid;
        if (!IsDottedOid(start))
        {
            error = $"walk-mib: '{start}' is not a numeric OID (two or more arcs, like 1.3.6.1.2.1.43)";
            return false;
        }

        if (endPoint.Port == 0)
        {
            endPoint.Port = DefaultPort;
        }

        target = new WalkTarget(endPoint, start);
        error = null;
        return true;
    }

    /// <summary>The parameter as the agent parses it back.</summary>
    public override string ToString() => $"{EndPoint} {StartOid}";

    /// <summary>"10.0.0.5:" parses as port 0; refused rather than read as 161.</summary>
    private static bool HasEmptyPort(string word) => word.EndsWith(':') && word.Count(c => c == ':') == 1;

    private static bool IsDottedOid(string text)
    {
        string[] arcs = text.Split('.');
        return arcs.Length >= 2
            && arcs.All(a => a.Length is > 0 and <= 10 && a.All(char.IsAsciiDigit) && uint.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            && arcs[0] is "0" or "1" or "2";
    }
}
