using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using OneStopPi.Simulator;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Agent.Cli;

/// <summary>
/// <c>onestoppi simulate</c>: serves a directory of snmprec recordings as a fleet of SNMP agents, one loopback
/// address per device, until SIGINT or SIGTERM. Prints the address → recording map, then "ready".
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var walks = new Option<DirectoryInfo>("--walks") { Description = "directory of *.snmprec recordings", Required = true };
        var bind = new Option<string>("--bind") { Description = "first device's IPv4 address; device i gets it + i (127.0.0.255 is followed by 127.0.1.0)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "UDP port of every device", DefaultValueFactory = _ => 161 };
        var count = new Option<int?>("--count") { Description = "number of devices, cycling through the recordings (default: one per recording)" };
        var community = new Option<string?>("--community") { Description = "the only v1/v2c community answered (default: any)" };
        var user = new Option<string?>("--v3-user") { Description = "SNMPv3 user every device knows" };
        var auth = new Option<string?>("--auth") { Description = "MD5|SHA|SHA224|SHA256|SHA384|SHA512" };
        var authPass = new Option<string?>("--auth-pass") { Description = "authentication password" };
        var priv = new Option<string?>("--priv") { Description = "DES|3DES|AES|AES192|AES256|AES192C|AES256C" };
        var privPass = new Option<string?>("--priv-pass") { Description = "privacy password" };
        var advance = new Option<double?>("--advance-pages-per-minute") { Description = "page counters (prtMarkerLifeCount and the vendor counters listed in the simulator's data) grow at this rate; uptimes advance too" };
        var map = new Option<FileInfo?>("--map") { Description = "write the address → recording map (TSV) here instead of stdout" };

        var command = new Command("simulate", "serve snmprec recordings as a fleet of simulated printers (v1, v2c, v3)")
        {
            walks, bind, port, count, community, user, auth, authPass, priv, privPass, advance, map,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            SimulatorOptions options = BuildOptions(parse.GetValue(bind)!, parse.GetValue(port), parse.GetValue(count), parse.GetValue(community),
                BuildUser(parse.GetValue(user), parse.GetValue(auth), parse.GetValue(authPass), parse.GetValue(priv), parse.GetValue(privPass)),
                parse.GetValue(advance));
            return await RunAsync(parse.GetValue(walks)!, options, parse.GetValue(map), Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    internal static SimulatorOptions BuildOptions(string bind, int port, int? count, string? community, SimulatorUser? user, double? advance)
    {
        if (!IPAddress.TryParse(bind, out IPAddress? first) || first.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new CliUsageException($"--bind '{bind}' is not an IPv4 address");
        }

        if (port is < 1 or > 65535)
        {
            throw new CliUsageException("--port must be 1..65535");
        }

        if (count is < 1)
        {
            throw new CliUsageException("--count must be at least 1");
        }

        if (advance is { } rate && (rate < 0 || double.IsNaN(rate) || double.IsInfinity(rate)))
        {
            throw new CliUsageException("--advance-pages-per-minute must be a non-negative number");
        }

        return new SimulatorOptions
        {
            FirstAddress = first,
            Port = port,
            Count = count,
            Community = community,
            V3User = user,
            AdvancePagesPerMinute = advance,
        };
    }

    internal static SimulatorUser? BuildUser(string? name, string? authName, string? authPassword, string? privName, string? privPassword)
    {
        if (name is null)
        {
            return authName is null && privName is null && authPassword is null && privPassword is null
                ? null
                : throw new CliUsageException("--auth/--priv need --v3-user");
        }

        AuthProtocol auth = AuthProtocol.None;
        PrivProtocol priv = PrivProtocol.None;
        if (authName is not null && !UsmProtocolNames.TryParseAuth(authName, out auth))
        {
            throw new CliUsageException($"unknown --auth '{authName}' (MD5|SHA|SHA224|SHA256|SHA384|SHA512)");
        }

        if (privName is not null && !UsmProtocolNames.TryParsePriv(privName, out priv))
        {
            throw new CliUsageException($"unknown --priv '{privName}' (DES|3DES|AES|AES192|AES256|AES192C|AES256C)");
        }

        try
        {
            return new SimulatorUser(name, auth, authPassword, priv, privPassword);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message);
        }
    }

    /// <summary>Loads, binds, prints the map and "ready", then serves until cancelled or SIGINT/SIGTERM.</summary>
    internal static async Task<int> RunAsync(DirectoryInfo walks, SimulatorOptions options, FileInfo? mapFile, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        RecordingSet set;
        try
        {
            set = RecordingLoader.LoadDirectory(walks.FullName);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CliUsageException(e.Message);
        }

        foreach (RecordingProblem problem in set.Problems)
        {
            await errors.WriteLineAsync($"onestoppi simulate: {problem}").ConfigureAwait(false);
        }

        if (set.Recordings.Count == 0)
        {
            throw new CliUsageException($"no *.snmprec recordings in {walks.FullName}");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration? sigint = Register(PosixSignal.SIGINT, stop);
        using PosixSignalRegistration? sigterm = Register(PosixSignal.SIGTERM, stop);

        FleetSimulator fleet;
        try
        {
            fleet = FleetSimulator.Create(set.Recordings, options);
        }
        catch (SimulatorException e)
        {
            throw new CliUsageException(e.Message);
        }

        await using (fleet.ConfigureAwait(false))
        {
            try
            {
                fleet.Start();
            }
            catch (SimulatorException e)
            {
                await errors.WriteLineAsync($"onestoppi: {e.Message}").ConfigureAwait(false);
                return CliErrors.DeviceError;
            }

            long records = set.Recordings.Sum(r => (long)r.Count);
            await errors.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"onestoppi simulate: {fleet.Devices.Count} devices on {fleet.Devices[0].EndPoint} .. {fleet.Devices[^1].EndPoint}, {set.Recordings.Count} recordings ({records} records, {set.Problems.Count} problems)")).ConfigureAwait(false);

            if (mapFile is null)
            {
                await WriteMapAsync(fleet, output).ConfigureAwait(false);
            }
            else
            {
                await using var writer = new StreamWriter(mapFile.FullName, append: false);
                await WriteMapAsync(fleet, writer).ConfigureAwait(false);
            }

            await output.WriteLineAsync("ready").ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGINT, SIGTERM or the host's cancellation: stop cleanly.
            }

            await fleet.StopAsync().ConfigureAwait(false);
            SimulatorStatistics s = fleet.Statistics;
            await errors.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"onestoppi simulate: stopped; {s.Received} datagrams received, {s.Answered} answered, {s.V3Reports} v3 reports, {s.Malformed + s.Oversized} malformed, {s.NotARequest} not read requests, {s.BadCommunity + s.UnknownContext + s.V3Dropped} refused, {s.InternalErrors} internal errors")).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The map as TSV: ip, port, recording (file name), engine_id (hex).</summary>
    internal static async Task WriteMapAsync(FleetSimulator fleet, TextWriter writer)
    {
        await writer.WriteLineAsync("ip\tport\trecording\tengine_id").ConfigureAwait(false);
        foreach (SimulatedDevice device in fleet.Devices)
        {
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{device.EndPoint.Address}\t{device.EndPoint.Port}\t{device.Recording.Name}\t{Convert.ToHexStringLower(device.EngineId.Span)}")).ConfigureAwait(false);
        }

        await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static PosixSignalRegistration? Register(PosixSignal signal, CancellationTokenSource stop)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // we stop ourselves, cleanly
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Already stopping.
                }
            });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }
}
