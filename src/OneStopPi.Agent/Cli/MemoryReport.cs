using System.Globalization;

namespace OneStopPi.Agent.Cli;

/// <summary>
/// A diagnostic for the memory benchmarks (scripts/bench-inventory), on only when ONESTOPPI_MEMORY_REPORT is set:
/// samples the working set every 10 ms and, at exit, writes to standard error the GC's view of the moment the
/// working set peaked (heap size, committed bytes, fragmentation) and the GC's settings. It tells garbage the GC
/// has not collected yet apart from memory the process really holds, which <c>/usr/bin/time</c> cannot.
/// </summary>
internal sealed class MemoryReport : IDisposable
{
    public const string Variable = "ONESTOPPI_MEMORY_REPORT";

    private readonly Lock _gate = new();
    private readonly Timer _timer;
    private readonly TextWriter _output;
    private string _atPeak = "no sample";
    private long _peak;

    private MemoryReport(TextWriter output)
    {
        _output = output;
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
    }

    /// <summary>Starts the report when <see cref="Variable"/> is set, otherwise returns null.</summary>
    public static MemoryReport? StartIfAsked(TextWriter output) =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) ? null : new MemoryReport(output);

    public void Dispose()
    {
        _timer.Dispose();
        Sample();
        lock (_gate)
        {
            _output.WriteLine($"memory: peak working set {Mb(_peak)} MB; at the peak: {_atPeak}");
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory: collections gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; allocated {Mb(GC.GetTotalAllocatedBytes())} MB in all"));
        _output.WriteLine("memory: GC settings: " + string.Join(", ", GC.GetConfigurationVariables().Select(kv => $"{kv.Key}={kv.Value}")));
    }

    private void Sample()
    {
        long workingSet = Environment.WorkingSet;
        lock (_gate)
        {
            if (workingSet <= _peak)
            {
                return;
            }

            _peak = workingSet;
            GCMemoryInfo gc = GC.GetGCMemoryInfo();
            _atPeak = string.Create(CultureInfo.InvariantCulture,
                $"GC heap {Mb(GC.GetTotalMemory(false))} MB in use, {Mb(gc.TotalCommittedBytes)} MB committed, last GC: heap {Mb(gc.HeapSizeBytes)} MB, fragmented {Mb(gc.FragmentedBytes)} MB, promoted {Mb(gc.PromotedBytes)} MB");
        }
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
