using System.Diagnostics;
using System.Globalization;
using OneStopPi.Snmp.Tests.Fuzz;

// Long fuzz run of every SNMP decoding entry point: the same engine and properties as the CI test
// (tests/OneStopPi.Snmp.Tests/Fuzz), for millions of inputs. Usage (scripts/fuzz-snmp):
//   OneStopPi.Snmp.Fuzz [--count N] [--seed S] [--max-seconds T] [--workers W] [--stall-seconds X]
// Exit code 0: no property broken; 1: failures (printed with their inputs); 2: a worker stalled (hang).
long count = 2_000_000;
int seed = 1;
double maxSeconds = 1800;
int workers = Environment.ProcessorCount;
double stallSeconds = 30;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--count": count = long.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--max-seconds": maxSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--workers": workers = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--stall-seconds": stallSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine("usage: OneStopPi.Snmp.Fuzz [--count N] [--seed S] [--max-seconds T] [--workers W] [--stall-seconds X]");
            return 64;
    }
}

workers = Math.Max(1, workers);
Console.WriteLine($"fuzz-snmp: {count} inputs, seed {seed}, {workers} worker(s) (seeds {seed}..{seed + workers - 1}), at most {maxSeconds} s; " +
    $"{FuzzSeeds.All.Count} seed packets ({RealPackets.All.Length} captured), {FuzzRegressions.Cases.Length} regression cases");

// Regression cases first: each must pass every property.
var regression = new SnmpFuzzer(seed);
foreach ((string bug, FuzzSeedKind kind, string hex) in FuzzRegressions.Cases)
{
    regression.RunTargets(Convert.FromHexString(hex), kind, measure: true);
}

if (regression.Report.Failures.Count > 0)
{
    Console.WriteLine("regression cases FAILED:");
    regression.Report.Failures.ForEach(f => Console.WriteLine(f));
    return 1;
}

var fuzzers = new SnmpFuzzer[workers];
var threads = new Thread[workers];
long perWorker = (count + workers - 1) / workers;
var watch = Stopwatch.StartNew();
for (int w = 0; w < workers; w++)
{
    var fuzzer = fuzzers[w] = new SnmpFuzzer(seed + w);
    long mine = Math.Min(perWorker, count - perWorker * w);
    threads[w] = new Thread(() => fuzzer.Run(Math.Max(0, mine), TimeSpan.FromSeconds(maxSeconds))) { IsBackground = true, Name = $"fuzz-{w}" };
    threads[w].Start();
}

long[] lastProgress = new long[workers];
DateTime[] lastChange = [.. Enumerable.Repeat(DateTime.UtcNow, workers)];
while (threads.Any(t => t.IsAlive))
{
    Thread.Sleep(1000);
    for (int w = 0; w < workers; w++)
    {
        long progress = fuzzers[w].Progress;
        if (progress != lastProgress[w] || !threads[w].IsAlive)
        {
            lastProgress[w] = progress;
            lastChange[w] = DateTime.UtcNow;
        }
        else if ((DateTime.UtcNow - lastChange[w]).TotalSeconds > stallSeconds)
        {
            Console.WriteLine($"worker {w} STALLED for {stallSeconds} s in {fuzzers[w].CurrentTarget} on input {fuzzers[w].CurrentInputHex}");
            return 2;
        }
    }

    if (watch.Elapsed.TotalSeconds >= 10 && (long)watch.Elapsed.TotalSeconds % 30 == 0)
    {
        Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F0} s: {fuzzers.Sum(f => f.Progress)} inputs");
    }
}

watch.Stop();
int failures = 0;
for (int w = 0; w < workers; w++)
{
    FuzzReport report = fuzzers[w].Report;
    Console.WriteLine($"worker {w} (seed {seed + w}): {report.Summary()}");
    foreach ((string key, (long n, FuzzFailure first)) in report.Distinct)
    {
        Console.WriteLine($"  {n} x {key}\n  first: {first}");
    }

    failures += report.Failures.Count;
    if (Environment.GetEnvironmentVariable("FUZZ_PROFILE") == "1")
    {
        foreach ((string target, double ms) in report.MillisecondsByTarget.OrderByDescending(p => p.Value))
        {
            Console.WriteLine($"  {ms,10:F0} ms {target} ({report.AcceptedByTarget.GetValueOrDefault(target)} accepted)");
        }
    }
}

long inputs = fuzzers.Sum(f => f.Report.Inputs);
long calls = fuzzers.Sum(f => f.Report.Calls);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"total: {inputs} inputs, {calls} decoder calls in {watch.Elapsed.TotalSeconds:F1} s ({inputs / watch.Elapsed.TotalSeconds:F0} inputs/s); " +
    $"slowest call {fuzzers.Max(f => f.Report.SlowestCallMs):F2} ms; most allocated by one call {fuzzers.Max(f => f.Report.MostAllocated)} B; " +
    $"{(failures == 0 ? "0 failures" : $"{failures} FAILURES")}"));
return failures == 0 ? 0 : 1;
