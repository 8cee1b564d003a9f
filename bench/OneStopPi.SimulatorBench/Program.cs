// Usage: OneStopPi.SimulatorBench MAP.tsv WALKS_DIR [--concurrency N] [--gets-per-device N] [--max-repetitions N]
// MAP.tsv is what `onestoppi simulate --map` wrote (ip, port, recording, engine_id). Every device is walked (v2c
// GETBULK of .1) and then asked N multi-varbind GETs, at most `concurrency` devices at a time, from one SnmpClient.
// Every walk must equal its recording. Prints one line per phase and exits 1 on any timeout or mismatch.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using OneStopPi.Simulator;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: OneStopPi.SimulatorBench MAP.tsv WALKS_DIR [--concurrency N] [--gets-per-device N] [--max-repetitions N]");
    return 2;
}

int concurrency = Option("--concurrency", 200);
int getsPerDevice = Option("--gets-per-device", 10);
int maxRepetitions = Option("--max-repetitions", 25);

Dictionary<string, Recording> recordings = RecordingLoader.LoadDirectory(args[1]).Recordings.ToDictionary(r => r.Name);
var devices = File.ReadLines(args[0]).Skip(1).Select(line => line.Split('\t'))
    .Select(f => (EndPoint: new IPEndPoint(IPAddress.Parse(f[0]), int.Parse(f[1], CultureInfo.InvariantCulture)), Recording: recordings[f[2]]))
    .ToArray();

await using var client = new SnmpClient(new SnmpClientOptions { Timeout = TimeSpan.FromSeconds(2), Retries = 2, MaxInFlight = 4096 });
ObjectIdentifier[] scalars =
[
    "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.25.3.2.1.5.1",
    "1.3.6.1.2.1.25.3.5.1.1.1", "1.3.6.1.2.1.25.3.5.1.2.1", "1.3.6.1.2.1.43.5.1.1.17.1", "1.3.6.1.2.1.43.10.2.1.4.1.1",
];

int failures = 0;

// Phase 1: walk every device.
var walkLatencies = new double[devices.Length];
long walkedVarbinds = 0;
long sentBefore = client.Statistics.DatagramsSent;
var watch = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, devices.Length), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
{
    var one = Stopwatch.StartNew();
    var target = new SnmpTarget(devices[i].EndPoint, new CommunityCredentials(SnmpVersion.V2c, "public"));
    try
    {
        int index = 0;
        bool same = true;
        await foreach (Varbind varbind in client.WalkAsync(target, ObjectIdentifier.Parse("1"), new WalkOptions { MaxRepetitions = maxRepetitions, GetRootWhenEmpty = false }, ct))
        {
            same &= index < devices[i].Recording.Count && varbind == new Varbind(devices[i].Recording.OidAt(index), devices[i].Recording.ValueAt(index));
            index++;
        }

        Interlocked.Add(ref walkedVarbinds, index);
        if (!same || index != devices[i].Recording.Count)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"{devices[i].EndPoint}: walk differs from {devices[i].Recording.Name} ({index} of {devices[i].Recording.Count} records)");
        }
    }
    catch (SnmpException e)
    {
        Interlocked.Increment(ref failures);
        Console.Error.WriteLine($"{devices[i].EndPoint}: {e.Message}");
    }
    catch (TimeoutException e)
    {
        Interlocked.Increment(ref failures);
        Console.Error.WriteLine($"{devices[i].EndPoint}: {e.Message}");
    }

    walkLatencies[i] = one.Elapsed.TotalMilliseconds;
});
watch.Stop();
Report("walk", devices.Length, walkedVarbinds, client.Statistics.DatagramsSent - sentBefore, watch.Elapsed, walkLatencies);

// Phase 2: multi-varbind GETs, getsPerDevice per device.
var getLatencies = new double[devices.Length * getsPerDevice];
sentBefore = client.Statistics.DatagramsSent;
watch.Restart();
await Parallel.ForEachAsync(Enumerable.Range(0, getLatencies.Length), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, ct) =>
{
    int i = n % devices.Length;
    var one = Stopwatch.StartNew();
    try
    {
        IReadOnlyList<Varbind> got = await client.GetAsync(new SnmpTarget(devices[i].EndPoint, new CommunityCredentials(SnmpVersion.V2c, "public")), scalars, ct);
        for (int k = 0; k < scalars.Length; k++)
        {
            int index = devices[i].Recording.IndexOf(scalars[k]);
            SnmpValue expected = index >= 0 ? devices[i].Recording.ValueAt(index) : SnmpValue.NoSuchInstance;
            if (got[k].Value != expected && scalars[k] != ObjectIdentifier.Parse("1.3.6.1.2.1.1.3.0"))
            {
                Interlocked.Increment(ref failures);
                Console.Error.WriteLine($"{devices[i].EndPoint}: {scalars[k]} = {got[k].Value}, recorded {expected}");
            }
        }
    }
    catch (Exception e) when (e is SnmpException or TimeoutException)
    {
        Interlocked.Increment(ref failures);
        Console.Error.WriteLine($"{devices[i].EndPoint}: {e.Message}");
    }

    getLatencies[n] = one.Elapsed.TotalMilliseconds;
});
watch.Stop();
Report("get", getLatencies.Length, getLatencies.Length * (long)scalars.Length, client.Statistics.DatagramsSent - sentBefore, watch.Elapsed, getLatencies);

SnmpClientStatistics stats = client.Statistics;
Console.WriteLine($"client: {stats.DatagramsSent} datagrams sent, {stats.Retransmissions} retransmissions, {stats.Timeouts} timeouts, {failures} failures");
return failures == 0 && stats.Timeouts == 0 ? 0 : 1;

int Option(string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static void Report(string phase, int operations, long varbinds, long datagrams, TimeSpan elapsed, double[] latencies)
{
    Array.Sort(latencies);
    double P(double q) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{phase}: {operations} in {elapsed.TotalSeconds:F2} s ({operations / elapsed.TotalSeconds:F0}/s), {varbinds} varbinds, {datagrams} requests ({datagrams / elapsed.TotalSeconds:F0}/s); latency p50 {P(0.5):F1} ms, p99 {P(0.99):F1} ms, max {latencies[^1]:F1} ms"));
}
