using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OneStopPi.Collection;
using OneStopPi.Collection.Profiles;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Cli;

/// <summary><c>onestoppi scan</c>: read printers (identity, status, counters, supplies) and print a table or JSON.</summary>
internal static class ScanCommand
{
    /// <summary>More addresses than this in one scan is almost certainly a typo in a range.</summary>
    public const int MaxTargets = 65536;

    public static Command Create()
    {
        var credentials = new SnmpCredentialOptions();
        var targets = new Argument<string[]>("target")
        {
            Description = "HOST[:PORT], an IPv4 range A.B.C.D-E.F.G.H[:PORT] or a CIDR block A.B.C.D/N[:PORT]",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<string?>("--json") { Description = "write the readings as JSON to FILE ('-' for standard output)" };
        var concurrency = new Option<int>("--concurrency") { Description = "devices read at once", DefaultValueFactory = _ => 64 };
        var profiles = new Option<DirectoryInfo?>("--profiles") { Description = "directory of vendor profile *.json overriding the built-in ones" };
        var command = new Command("scan", "read printers: identity, status, page counters and supplies") { targets };
        credentials.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(concurrency);
        command.Options.Add(profiles);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            int parallel = parse.GetValue(concurrency);
            if (parallel < 1)
            {
                throw new CliUsageException("--concurrency must be at least 1");
            }

            ProfileCatalog catalog;
            try
            {
                catalog = ProfileCatalog.Load(parse.GetValue(profiles)?.FullName);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"--profiles: {e.Message}");
            }

            IReadOnlyList<IPEndPoint> endPoints = await ExpandAsync(parse.GetValue(targets)!, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SnmpCredentials> candidates = credentials.Build(parse);
            SnmpTarget[][] plans = [.. endPoints.Select(e => candidates.Select(c => credentials.Target(e, c, parse)).ToArray())];
            string? jsonPath = parse.GetValue(json);

            await using var client = new SnmpClient(new SnmpClientOptions { MaxInFlight = Math.Max(64, parallel * 2) });
            var collector = new DeviceCollector(client, catalog);
            var readings = new DeviceReading[plans.Length];
            using var progress = Progress.Start(plans.Length);
            await Parallel.ForEachAsync(Enumerable.Range(0, plans.Length),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    readings[i] = await ReadWithCredentialsAsync(collector, plans[i], ct).ConfigureAwait(false);
                    progress.Advance(readings[i].Answered);
                }).ConfigureAwait(false);
            progress.Finish();

            if (jsonPath is null)
            {
                ScanTable.Write(Console.Out, readings);
            }
            else
            {
                await WriteJsonAsync(jsonPath, readings, cancellationToken).ConfigureAwait(false);
            }

            return readings.Any(r => r.Answered) ? 0 : CliErrors.DeviceError;
        }));
        return command;
    }

    /// <summary>Tries each credential in turn until the device answers; the requests of every attempt are counted.</summary>
    private static async Task<DeviceReading> ReadWithCredentialsAsync(DeviceCollector collector, SnmpTarget[] attempts, CancellationToken cancellationToken)
    {
        DeviceReading? reading = null;
        int requests = 0;
        foreach (SnmpTarget target in attempts)
        {
            reading = await collector.ReadAsync(target, cancellationToken).ConfigureAwait(false);
            requests += reading.Requests;
            if (reading.Answered)
            {
                break;
            }
        }

        return reading! with { Requests = requests };
    }

    private static async Task WriteJsonAsync(string path, DeviceReading[] readings, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            await using Stream stdout = Console.OpenStandardOutput();
            await ReadingJson.WriteAsync(stdout, readings, cancellationToken).ConfigureAwait(false);
            await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            return;
        }

        await using FileStream file = File.Create(path);
        await ReadingJson.WriteAsync(file, readings, cancellationToken).ConfigureAwait(false);
        await file.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Targets to endpoints: host names resolved, IPv4 ranges and CIDR blocks expanded (network and broadcast addresses of a block skipped).</summary>
    internal static async Task<IReadOnlyList<IPEndPoint>> ExpandAsync(IEnumerable<string> targets, CancellationToken cancellationToken)
    {
        var endPoints = new List<IPEndPoint>();
        foreach (string target in targets)
        {
            if (TryExpandRange(target, endPoints))
            {
                if (endPoints.Count > MaxTargets)
                {
                    throw new CliUsageException($"more than {MaxTargets} addresses to scan; split the ranges");
                }

                continue;
            }

            endPoints.Add(await HostEndPoint.ResolveAsync(target, cancellationToken).ConfigureAwait(false));
        }

        return endPoints;
    }

    internal static bool TryExpandRange(string text, List<IPEndPoint> into)
    {
        text = text.Trim();
        int port = HostEndPoint.SnmpPort;
        if (!text.Contains('/', StringComparison.Ordinal) && !text.Contains('-', StringComparison.Ordinal))
        {
            return false;
        }

        int colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            (_, port) = HostEndPoint.Split("0.0.0.0" + text[colon..]);
            text = text[..colon];
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPNetwork.TryParse(text, out IPNetwork network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new CliUsageException($"'{text}' is not an IPv4 CIDR block (e.g. 10.0.0.0/24)");
            }

            if (network.PrefixLength < 32 - 16)
            {
                throw new CliUsageException($"'{text}': blocks larger than /16 are not scanned");
            }

            uint first = ToUInt(network.BaseAddress);
            uint count = network.PrefixLength == 32 ? 1u : 1u << (32 - network.PrefixLength);
            uint start = count > 2 ? first + 1 : first;
            uint end = count > 2 ? first + count - 2 : first + count - 1;
            AddRange(start, end, port, into);
            return true;
        }

        string[] parts = text.Split('-');
        if (parts.Length == 2 && parts[0].Contains('.', StringComparison.Ordinal) && IPAddress.TryParse(parts[0], out IPAddress? from) && from.AddressFamily == AddressFamily.InterNetwork)
        {
            IPAddress? to = parts[1].Contains('.', StringComparison.Ordinal) && IPAddress.TryParse(parts[1], out IPAddress? full) && full.AddressFamily == AddressFamily.InterNetwork ? full
                : byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out byte last) ? new IPAddress([.. from.GetAddressBytes()[..3], last])
                : null;
            if (to is null || ToUInt(to) < ToUInt(from))
            {
                throw new CliUsageException($"'{text}' is not a range START-END (e.g. 10.0.0.1-10.0.0.50 or 10.0.0.1-50)");
            }

            if (ToUInt(to) - ToUInt(from) >= MaxTargets)
            {
                throw new CliUsageException($"'{text}': more than {MaxTargets} addresses");
            }

            AddRange(ToUInt(from), ToUInt(to), port, into);
            return true;
        }

        return false; // a host name with a dash
    }

    private static void AddRange(uint start, uint end, int port, List<IPEndPoint> into)
    {
        for (ulong a = start; a <= end; a++)
        {
            into.Add(new IPEndPoint(FromUInt((uint)a), port));
        }
    }

    private static uint ToUInt(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress FromUInt(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    /// <summary>A one-line progress counter on standard error, shown only when both outputs are a terminal.</summary>
    private sealed class Progress : IDisposable
    {
        private readonly int _total;
        private readonly bool _visible;
        private readonly Timer? _timer;
        private int _done;
        private int _answered;

        private Progress(int total, bool visible)
        {
            _total = total;
            _visible = visible;
            if (visible)
            {
                _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
            }
        }

        public static Progress Start(int total) => new(total, total > 1 && !Console.IsOutputRedirected && !Console.IsErrorRedirected);

        public void Advance(bool answered)
        {
            Interlocked.Increment(ref _done);
            if (answered)
            {
                Interlocked.Increment(ref _answered);
            }
        }

        public void Finish()
        {
            _timer?.Dispose();
            if (_visible)
            {
                Console.Error.Write("\r\u001b[K");
            }
        }

        public void Dispose() => _timer?.Dispose();

        private void Draw() => Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\rscanning: {Volatile.Read(ref _done)}/{_total} read, {Volatile.Read(ref _answered)} answered\u001b[K"));
    }
}

/// <summary>The human-readable scan table: ip, vendor, model, serial, total, lowest supply, status.</summary>
internal static class ScanTable
{
    public static void Write(TextWriter writer, IReadOnlyList<DeviceReading> readings)
    {
        string[] header = ["IP", "VENDOR", "MODEL", "SERIAL", "TOTAL", "LOWEST SUPPLY", "STATUS"];
        List<string[]> rows = [header, .. readings.Select(Row)];
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => Math.Min(40, rows.Max(r => r[c].Length)))];
        var line = new StringBuilder();
        foreach (string[] row in rows)
        {
            line.Clear();
            for (int c = 0; c < row.Length; c++)
            {
                string cell = row[c].Length > widths[c] && c < row.Length - 1 ? row[c][..(widths[c] - 1)] + "…" : row[c];
                line.Append(c == row.Length - 1 ? cell : cell.PadRight(widths[c] + 2));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    internal static string[] Row(DeviceReading r)
    {
        string ip = r.Port == HostEndPoint.SnmpPort ? r.Ip : $"{r.Ip}:{r.Port.ToString(CultureInfo.InvariantCulture)}";
        if (!r.Answered)
        {
            return [ip, "", "", "", "", "", "no answer"];
        }

        return
        [
            ip,
            r.Vendor ?? "?",
            r.Model ?? "?",
            r.Serial ?? "",
            r.Counters.TryGetValue(CounterNames.Total, out PageCounter? total) ? total.Value.ToString(CultureInfo.InvariantCulture) : "",
            LowestSupply(r),
            StatusText(r),
        ];
    }

    internal static string LowestSupply(DeviceReading r)
    {
        SupplyReading? lowest = r.Supplies
            .Where(s => s.Percent is not null && s.Class != SupplyClass.Filled && s.Type is not (SupplyType.WasteToner or SupplyType.WasteInk or SupplyType.WasteWax or SupplyType.WasteWater or SupplyType.WastePaper))
            .OrderBy(s => s.Percent)
            .FirstOrDefault();
        if (lowest is null)
        {
            return r.Supplies.Any(s => s.State == SupplyState.SomeRemaining) ? "some remaining" : "";
        }

        string name = lowest.Colour is { } colour && lowest.Type is SupplyType.Toner or SupplyType.Ink or SupplyType.TonerCartridge or SupplyType.InkCartridge
            ? colour
            : lowest.Description ?? lowest.Type.ToString();
        return string.Create(CultureInfo.InvariantCulture, $"{name} {lowest.Percent}%");
    }

    internal static string StatusText(DeviceReading r)
    {
        var parts = new List<string>();
        if (r.Status.Errors.Count > 0)
        {
            parts.Add(string.Join(",", r.Status.Errors));
        }
        else if (r.Status.HrPrinterStatus is { } printer)
        {
            parts.Add(JsonNamingPolicy.CamelCase.ConvertName(printer.ToString()));
        }
        else if (r.Status.HrDeviceStatus is { } device)
        {
            parts.Add(JsonNamingPolicy.CamelCase.ConvertName(device.ToString()));
        }

        if (r.Error is not null)
        {
            parts.Add("partial: " + (r.Error.Length > 60 ? r.Error[..59] + "…" : r.Error));
        }

        return parts.Count == 0 ? "?" : string.Join(" ", parts);
    }
}
