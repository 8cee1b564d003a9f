using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OneStopPi.Collection;
using OneStopPi.Collection.Discovery;
using OneStopPi.Collection.Profiles;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.State;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;
using Serilog;
using Serilog.Events;

namespace OneStopPi.Agent.Cli;

/// <summary>
/// <c>onestoppi scan</c>: sweep ranges for printers (ICMP + SNMP, paced against the neighbour table) and
/// read each printer found (identity, status, counters, supplies), or with <c>--discover-only</c> just list
/// what answers. Single hosts given by address or name are read directly, without the sweep.
/// </summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var credentials = new SnmpCredentialOptions();
        var targets = new Argument<string[]>("target")
        {
            Description = "a CIDR block A.B.C.D/N, a range A.B.C.D-E.F.G.H (or A.B.C.D-H), an IPv4 or IPv6 address, or HOST[:PORT]",
            Arity = ArgumentArity.OneOrMore,
        };
        var exclude = new Option<string[]>("--exclude") { Description = "a range or address not to scan (repeatable)", AllowMultipleArgumentsPerToken = false };
        var discoverOnly = new Option<bool>("--discover-only") { Description = "list the live addresses (ICMP, SNMP, printer or not, why) without reading the printers" };
        var allowWide = new Option<bool>("--allow-wide") { Description = "allow ranges wider than a /16 (65,536 addresses)" };
        var noIcmp = new Option<bool>("--no-icmp") { Description = "SNMP-only liveness (no ICMP echo)" };
        var noArp = new Option<bool>("--no-arp") { Description = "no ARP sweep of directly connected subnets: the kernel resolves each address, paced by the neighbour table" };
        var registry = new Option<FileInfo?>("--registry") { Description = "device registry FILE: remembers each printer (vendor+serial, then MAC), its address and credential; written atomically" };
        var verbose = new Option<bool>("--verbose") { Description = "log the sweep's figures on standard error" };
        var json = new Option<string?>("--json") { Description = "write JSON to FILE ('-' or nothing for standard output)", Arity = ArgumentArity.ZeroOrOne };
        var concurrency = new Option<int>("--concurrency") { Description = "devices read at once", DefaultValueFactory = _ => 64 };
        var profiles = new Option<DirectoryInfo?>("--profiles") { Description = "directory of vendor profile *.json overriding the built-in ones" };
        var command = new Command("scan", "find printers in ranges and read them: identity, status, page counters and supplies") { targets };
        credentials.AddTo(command);
        command.Options.Add(exclude);
        command.Options.Add(discoverOnly);
        command.Options.Add(allowWide);
        command.Options.Add(noIcmp);
        command.Options.Add(noArp);
        command.Options.Add(registry);
        command.Options.Add(verbose);
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

            bool listOnly = parse.GetValue(discoverOnly);
            ScanTargets plan = await ScanTargets.ParseAsync(parse.GetValue(targets)!, parse.GetValue(exclude) ?? [], parse.GetValue(allowWide), listOnly, cancellationToken).ConfigureAwait(false);
            var candidates = new CredentialPlan(credentials.Build(parse));
            SnmpTarget probeShape = credentials.Target(new IPEndPoint(IPAddress.Loopback, HostEndPoint.SnmpPort), candidates[0], parse);
            string? jsonPath = parse.GetResult(json) is null ? null : parse.GetValue(json) ?? "-";
            string? registryPath = parse.GetValue(registry)?.FullName;

            using var loggerFactory = CreateLoggerFactory(parse.GetValue(verbose));
            DeviceRegistry? devices = registryPath is null ? null : await RegistryFile.LoadAsync(registryPath, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<DiscoveredDevice> found = [];
            if (plan.Sweep is not null)
            {
                var scanner = new DiscoveryScanner(new ProcNeighbourTable(), TimeProvider.System, loggerFactory.CreateLogger<DiscoveryScanner>());
                var options = new DiscoveryOptions
                {
                    Credentials = candidates.Credentials,
                    // The sweep's own defaults (1 s, 1 retry) unless --timeout/--retries are given.
                    Timeout = parse.GetResult(credentials.TimeoutMs) is { Implicit: false } ? probeShape.Timeout!.Value : DiscoveryOptions.DefaultTimeout,
                    Retries = parse.GetResult(credentials.Retries) is { Implicit: false } ? probeShape.Retries!.Value : 1,
                    Icmp = parse.GetValue(noIcmp) ? IcmpMode.Unavailable : IcmpMode.Raw,
                    Arp = parse.GetValue(noArp) ? null : new ArpSweepOptions(),
                    PreferredCredential = devices is null ? null : devices.PreferredCredential,
                };
                var progress = new DiscoveryProgress();
                using (SweepProgress.Start(progress))
                {
                    found = await scanner.ScanAsync(plan.Sweep, options, progress, cancellationToken).ConfigureAwait(false);
                }
            }

            if (listOnly)
            {
                if (jsonPath is null)
                {
                    DiscoveryTable.Write(Console.Out, found);
                }
                else
                {
                    await WriteAsync(jsonPath, s => DiscoveryJsonContext.WriteAsync(s, found, cancellationToken), cancellationToken).ConfigureAwait(false);
                }

                if (devices is not null)
                {
                    devices.Merge([.. found.Where(d => d.Printer)], DateTimeOffset.UtcNow);
                    await RegistryFile.SaveAsync(registryPath!, devices, cancellationToken).ConfigureAwait(false);
                }

                return found.Count > 0 ? 0 : CliErrors.DeviceError;
            }

            // One reading per device: a printer on two addresses is read once, at the address it was read at before.
            devices ??= new DeviceRegistry();
            RegistryMerge merge = devices.Merge([.. found.Where(d => d.Printer)], DateTimeOffset.UtcNow);
            List<(IPEndPoint EndPoint, int? Preferred)> reads =
            [
                .. plan.Direct.Select(e => (e, devices.PreferredCredential(e.Address))),
                .. merge.Seen.Select(d => (new IPEndPoint(IPAddress.Parse(d.Ip), d.Port), d.CredentialIndex)),
            ];

            await using var client = new SnmpClient(new SnmpClientOptions { MaxInFlight = Math.Max(64, parallel * 2) });
            var reader = new PrinterReader(new DeviceCollector(client, catalog), candidates, (endPoint, credential) => credentials.Target(endPoint, credential, parse));
            bool anyAnswered = false;
            using (var progress = Progress.Start(reads.Count))
            {
                // In the targets' order, each reading written out as it comes (JSON) rather than all held until the end.
                async IAsyncEnumerable<DeviceReading> ReadingsAsync()
                {
                    await foreach ((_, PrinterRead read) in reader.ReadAllAsync(reads, r => r, parallel, cancellationToken).ConfigureAwait(false))
                    {
                        progress.Advance(read.Reading.Answered);
                        anyAnswered |= read.Reading.Answered;
                        yield return read.Reading;
                    }
                }

                if (jsonPath is null)
                {
                    List<DeviceReading> readings = [];
                    await foreach (DeviceReading reading in ReadingsAsync().ConfigureAwait(false))
                    {
                        readings.Add(reading);
                    }

                    progress.Finish();
                    ScanTable.Write(Console.Out, readings);
                }
                else
                {
                    await WriteAsync(jsonPath, s => ReadingJson.WriteAsync(s, ReadingsAsync(), cancellationToken), cancellationToken).ConfigureAwait(false);
                    progress.Finish();
                }
            }

            if (registryPath is not null)
            {
                await RegistryFile.SaveAsync(registryPath, devices, cancellationToken).ConfigureAwait(false);
            }

            return anyAnswered ? 0 : CliErrors.DeviceError;
        }));
        return command;
    }

    private static ILoggerFactory CreateLoggerFactory(bool verbose) => new SerilogBridge(new LoggerConfiguration()
        .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning)
        .WriteTo.Console(outputTemplate: "{Message:lj}{NewLine}", standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: CultureInfo.InvariantCulture)
        .CreateLogger(), dispose: true);

    private static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            await using Stream stdout = Console.OpenStandardOutput();
            await write(stdout).ConfigureAwait(false);
            await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            return;
        }

        await using FileStream file = File.Create(path);
        await write(file).ConfigureAwait(false);
        await file.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

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
