using System.Runtime.InteropServices;

namespace OneStopPi.Agent.Scheduling;

/// <summary>
/// Whether the wall clock can be trusted. A Raspberry Pi has no real-time clock: until NTP has
/// set it, the date is whatever fake-hwclock saved (or 1970). Synchronised when systemd-timesyncd
/// says so (/run/systemd/timesync/synchronized, systemd-timesyncd.service(8)), when the kernel's
/// NTP state is synchronised (adjtimex(2) does not return TIME_ERROR, what timedatectl shows), or
/// once a step of the wall clock against the monotonic clock shows that something set it.
/// </summary>
public partial class ClockSynchronisation
{
    /// <summary>Names another flag file than systemd-timesyncd's (another NTP daemon's hook, or a test).</summary>
    public const string FlagVariable = "ONESTOPPI_TIMESYNC_FLAG";

    private static readonly TimeSpan StepThreshold = TimeSpan.FromMinutes(2);
    private readonly TimeProvider _time;
    private readonly string _timesyncFlag;
    private readonly DateTimeOffset _firstWall;
    private readonly long _firstTimestamp;
    private bool _stepSeen;

    public ClockSynchronisation(TimeProvider time, string timesyncFlag = "/run/systemd/timesync/synchronized")
    {
        _time = time;
        _timesyncFlag = timesyncFlag;
        _firstWall = time.GetUtcNow();
        _firstTimestamp = time.GetTimestamp();
    }

    public virtual bool IsSynchronised()
    {
        if (_stepSeen || File.Exists(_timesyncFlag) || KernelSaysSynchronised())
        {
            return true;
        }

        TimeSpan expected = _time.GetElapsedTime(_firstTimestamp);
        TimeSpan actual = _time.GetUtcNow() - _firstWall;
        _stepSeen = (actual - expected).Duration() > StepThreshold;
        return _stepSeen;
    }

    protected virtual bool KernelSaysSynchronised()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // struct timex is 208 bytes on 64-bit Linux; modes = 0 (first int) only reads.
        Span<byte> timex = stackalloc byte[256];
        timex.Clear();
        int state = Adjtimex(ref MemoryMarshal.GetReference(timex));
        const int TimeError = 5;
        return state >= 0 && state != TimeError;
    }

    [LibraryImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
    private static partial int Adjtimex(ref byte timex);
}
