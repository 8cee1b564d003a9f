using System.Globalization;
using System.Net;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Agent.Cli;

/// <summary>
/// A scan's targets: ranges to sweep, and single hosts to read directly (an address, or HOST[:PORT]).
/// With <c>--discover-only</c> single hosts are swept too.
/// </summary>
internal sealed record ScanTargets(TargetRangeSet? Sweep, IReadOnlyList<IPEndPoint> Direct)
{
    public static async Task<ScanTargets> ParseAsync(IReadOnlyList<string> targets, IReadOnlyList<string> exclusions, bool allowWide, bool sweepSingles,
        CancellationToken cancellationToken)
    {
        var ranges = new List<string>();
        var direct = new List<IPEndPoint>();
        foreach (string target in targets)
        {
            string text = target.Trim();
            bool isRange = text.Contains('/', StringComparison.Ordinal) || (text.Contains('-', StringComparison.Ordinal) && char.IsDigit(text[0]) && text.Count(c => c == '.') >= 3);
            if (isRange)
            {
                ranges.Add(text);
                continue;
            }

            IPEndPoint endPoint = await HostEndPoint.ResolveAsync(text, cancellationToken).ConfigureAwait(false);
            if (sweepSingles && endPoint.Port == HostEndPoint.SnmpPort)
            {
                ranges.Add(endPoint.Address.ToString());
            }
            else
            {
                direct.Add(endPoint);
            }
        }

        try
        {
            TargetRangeSet? sweep = ranges.Count > 0 ? TargetRangeSet.Parse(ranges, exclusions, allowWide) : null;
            if (sweep is { Count: 0 })
            {
                sweep = null;
            }

            if (exclusions.Count > 0)
            {
                TargetRangeSet cut = TargetRangeSet.Parse(exclusions, null, allowWide: true);
                direct.RemoveAll(e => cut.Contains(e.Address));
            }

            if (sweep is null && direct.Count == 0)
            {
                throw new CliUsageException("nothing left to scan after the exclusions");
            }

            return new ScanTargets(sweep, direct);
        }
        catch (TargetRangeException e)
        {
            throw new CliUsageException(e.Message + (e.Message.Contains("allow wider", StringComparison.Ordinal) ? " (--allow-wide)" : ""));
        }
    }
}

/// <summary>The <c>--discover-only</c> table: ip, mac, icmp, snmp, printer, vendor, model, serial, reason.</summary>
internal static class DiscoveryTable
{
    public static void Write(TextWriter writer, IReadOnlyList<DiscoveredDevice> devices)
    {
        writer.WriteLine("IP               MAC                ICMP SNMP PRINTER VENDOR          MODEL                     SERIAL           REASON");
        foreach (DiscoveredDevice d in devices)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{d.Ip,-16} {d.Mac ?? "",-18} {Flag(d.Icmp),-4} {Flag(d.Snmp),-4} {Flag(d.Printer),-7} {Cut(d.Vendor, 15),-15} {Cut(d.Model, 25),-25} {Cut(d.Serial, 16),-16} {d.Reason}"));
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{devices.Count} live, {devices.Count(d => d.Printer)} printer(s), {devices.Count(d => !d.Printer)} other(s)"));
    }

    private static string Flag(bool value) => value ? "yes" : "-";

    private static string Cut(string? text, int width) => text is null ? "" : text.Length <= width ? text : text[..(width - 1)] + "…";
}

/// <summary>A one-line sweep progress on standard error, shown only when both outputs are a terminal.</summary>
internal sealed class SweepProgress : IDisposable
{
    private readonly DiscoveryProgress _progress;
    private readonly Timer? _timer;

    private SweepProgress(DiscoveryProgress progress, bool visible)
    {
        _progress = progress;
        if (visible)
        {
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
        }
    }

    public static SweepProgress Start(DiscoveryProgress progress) =>
        new(progress, !Console.IsOutputRedirected && !Console.IsErrorRedirected);

    public void Dispose()
    {
        if (_timer is not null)
        {
            _timer.Dispose();
            Console.Error.Write("\r\u001b[K");
        }
    }

    private void Draw() => Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
        $"\rsweeping: {_progress.Probed}/{_progress.Total} probed, {_progress.Live} live, {_progress.Printers} printer(s)\u001b[K"));
}
