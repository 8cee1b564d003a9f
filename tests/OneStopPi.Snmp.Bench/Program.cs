using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Text;
using OneStopPi.Snmp.Transport;

// Benchmark helpers for scripts/bench-snmp (loopback only; every loop is bounded in count and time).
//   responder --listen IP:PORT [--snmprec FILE] [--max-seconds S]
//       a fast SNMPv1/v2c GET responder on one socket with a 4 MiB receive buffer
//   inflight --target IP:PORT [--levels 1,100,1000] [--rounds R] [--timeout-ms T] [--retries N]
//            [--oids-file FILE] [--community C] [--local IP]
//       N concurrent GETs on ONE SnmpClient socket, per level: completed, lost, time
return args.Length > 0 && args[0] == "responder" ? Responder.Run(args[1..])
    : args.Length > 0 && args[0] == "inflight" ? await InFlight.RunAsync(args[1..])
    : args.Length > 0 && args[0] == "latency" ? await Latency.RunAsync(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: OneStopPi.Snmp.Bench responder --listen IP:PORT [--snmprec FILE] [--max-seconds S]");
    Console.Error.WriteLine("       OneStopPi.Snmp.Bench latency --target IP:PORT [--count N] [--local IP]");
    Console.Error.WriteLine("       OneStopPi.Snmp.Bench inflight --target IP:PORT [--levels 1,100,1000] [--rounds R] [--timeout-ms T] [--retries N] [--oids-file FILE] [--community C] [--local IP]");
    return 64;
}

internal static class Options
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        return options;
    }

    public static IPEndPoint EndPoint(string text) => IPEndPoint.Parse(text);
}

/// <summary>Answers GET with the recording's value (or Counter32 of the last arc) for every varbind.</summary>
internal static class Responder
{
    public static int Run(string[] args)
    {
        Dictionary<string, string> options = Options.Parse(args);
        IPEndPoint listen = Options.EndPoint(options["listen"]);
        double maxSeconds = double.Parse(options.GetValueOrDefault("max-seconds", "900"), CultureInfo.InvariantCulture);
        var values = new Dictionary<ObjectIdentifier, SnmpValue>();
        if (options.TryGetValue("snmprec", out string? file))
        {
            foreach (string line in File.ReadLines(file))
            {
                if (SnmprecFormat.TryParseRecord(line, out Varbind varbind, out _))
                {
                    values[varbind.Oid] = varbind.Value;
                }
            }
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 << 20;
        socket.SendBufferSize = 4 << 20;
        socket.Bind(listen);
        socket.ReceiveTimeout = 1000;
        Console.WriteLine($"responder: listening on {listen}, {values.Count} recorded values, receive buffer {socket.ReceiveBufferSize} B, stops after {maxSeconds} s");
        Console.Out.Flush();

        byte[] buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var clock = Stopwatch.StartNew();
        long answered = 0, bad = 0;
        while (clock.Elapsed.TotalSeconds < maxSeconds)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            try
            {
                CommunityMessage request = CommunityMessage.Decode(buffer.AsSpan(0, length));
                var varbinds = new Varbind[request.Pdu.Varbinds.Count];
                for (int i = 0; i < varbinds.Length; i++)
                {
                    ObjectIdentifier oid = request.Pdu.Varbinds[i].Oid;
                    varbinds[i] = new Varbind(oid, values.TryGetValue(oid, out SnmpValue value) ? value
                        : values.Count > 0 ? SnmpValue.NoSuchObject : SnmpValue.Counter32(oid[^1]));
                }

                byte[] answer = new CommunityMessage(request.Version, request.Community,
                    Pdu.Response(request.Pdu.RequestId, SnmpErrorStatus.NoError, 0, varbinds)).Encode();
                socket.SendTo(answer, from);
                answered++;
            }
            catch (SnmpDecodeException)
            {
                bad++;
            }
        }

        Console.WriteLine($"responder: {answered} answered, {bad} undecodable, stopping after {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
}

/// <summary>Sequential GETs: the client's round-trip overhead (wall and CPU per request).</summary>
internal static class Latency
{
    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options = Options.Parse(args);
        IPEndPoint target = Options.EndPoint(options["target"]);
        int count = int.Parse(options.GetValueOrDefault("count", "5000"), CultureInfo.InvariantCulture);
        IPAddress local = IPAddress.Parse(options.GetValueOrDefault("local", "127.0.0.1"));
        await using var client = new SnmpClient(new SnmpClientOptions { LocalEndPoint = new IPEndPoint(local, 0) });
        var snmpTarget = new SnmpTarget(target, new CommunityCredentials(SnmpVersion.V2c, "public"));
        ObjectIdentifier[] oid = [ObjectIdentifier.Parse("1.3.6.1.2.1.1.3.0")];
        for (int i = 0; i < 500; i++)
        {
            await client.GetAsync(snmpTarget, oid);
        }

        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            await client.GetAsync(snmpTarget, oid);
        }

        watch.Stop();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency: {count} sequential GETs to {target}: {watch.Elapsed.TotalMicroseconds / count:F1} us wall, {cpu.TotalMicroseconds / count:F1} us CPU, {allocated / count} B allocated per request"));
        return 0;
    }
}

/// <summary>Concurrent GETs on one client socket: how many complete, how many are lost, how long it takes.</summary>
internal static class InFlight
{
    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options = Options.Parse(args);
        IPEndPoint target = Options.EndPoint(options["target"]);
        int[] levels = [.. options.GetValueOrDefault("levels", "1,100,1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "5"), CultureInfo.InvariantCulture);
        int timeoutMs = int.Parse(options.GetValueOrDefault("timeout-ms", "2000"), CultureInfo.InvariantCulture);
        int retries = int.Parse(options.GetValueOrDefault("retries", "0"), CultureInfo.InvariantCulture);
        string community = options.GetValueOrDefault("community", "public");
        IPAddress local = IPAddress.Parse(options.GetValueOrDefault("local", "127.0.0.1"));
        ObjectIdentifier[] oids = options.TryGetValue("oids-file", out string? file)
            ? [.. File.ReadLines(file).Where(l => l.Length > 0).Select(l => ObjectIdentifier.Parse(l))]
            : [ObjectIdentifier.Parse("1.3.6.1.2.1.1.3.0")];

        await using var client = new SnmpClient(new SnmpClientOptions
        {
            LocalEndPoint = new IPEndPoint(local, 0),
            MaxInFlight = Math.Max(1024, levels.Max()),
            Timeout = TimeSpan.FromMilliseconds(timeoutMs),
            Retries = retries,
        });
        var snmpTarget = new SnmpTarget(target, new CommunityCredentials(SnmpVersion.V2c, community));

        // Warm-up (JIT, ARP-free loopback path, the agent's caches); not counted.
        await RunLevelAsync(client, snmpTarget, oids, Math.Min(100, levels.Max()));

        Console.WriteLine($"inflight: target {target}, one SnmpClient socket ({client.LocalEndPoint}), timeout {timeoutMs} ms, retries {retries}, {rounds} rounds per level, {oids.Length} OIDs cycled");
        Console.WriteLine("concurrent  requests  completed  lost  median_ms  max_ms  requests/s  udp_rcvbuf_errors");
        foreach (int level in levels)
        {
            long completed = 0, lost = 0;
            var times = new List<double>();
            long rcvbufBefore = UdpReceiveBufferErrors();
            for (int round = 0; round < rounds; round++)
            {
                (int ok, int timedOut, double ms) = await RunLevelAsync(client, snmpTarget, oids, level);
                completed += ok;
                lost += timedOut;
                times.Add(ms);
            }

            times.Sort();
            double median = times[times.Count / 2];
            double rate = level / (median / 1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{level,10}  {level * rounds,8}  {completed,9}  {lost,4}  {median,9:F1}  {times[^1],6:F1}  {rate,10:F0}  {UdpReceiveBufferErrors() - rcvbufBefore,17}"));
        }

        Console.WriteLine($"client statistics: {client.Statistics}");
        return 0;
    }

    private static async Task<(int Completed, int Lost, double Milliseconds)> RunLevelAsync(SnmpClient client, SnmpTarget target, ObjectIdentifier[] oids, int level)
    {
        var watch = Stopwatch.StartNew();
        var tasks = new Task<IReadOnlyList<Varbind>>[level];
        for (int i = 0; i < level; i++)
        {
            tasks[i] = client.GetAsync(target, [oids[i % oids.Length]]).AsTask();
        }

        int completed = 0, lost = 0;
        foreach (Task<IReadOnlyList<Varbind>> task in tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
                completed++;
            }
            catch (SnmpTimeoutException)
            {
                lost++;
            }
        }

        return (completed, lost, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets), from /proc/net/snmp.</summary>
    private static long UdpReceiveBufferErrors()
    {
        try
        {
            string[] lines = File.ReadAllLines("/proc/net/snmp");
            for (int i = 0; i + 1 < lines.Length; i++)
            {
                if (lines[i].StartsWith("Udp:", StringComparison.Ordinal) && lines[i + 1].StartsWith("Udp:", StringComparison.Ordinal))
                {
                    string[] names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    string[] values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    int at = Array.IndexOf(names, "RcvbufErrors");
                    return at > 0 ? long.Parse(values[at], CultureInfo.InvariantCulture) : -1;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }
}
