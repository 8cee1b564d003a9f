using System.Runtime.InteropServices;

namespace OneStopPi.Simulator;

/// <summary>
/// The open-file limit: a simulator serves one UDP socket per device, so 1,000 devices need more
/// descriptors than the common soft limit of 1024. The soft limit may be raised up to the hard limit
/// without privileges (getrlimit/setrlimit, POSIX).
/// </summary>
public static partial class ProcessLimits
{
    // RLIMIT_NOFILE is 7 on Linux for x86, x64, arm and arm64.
    private const int RlimitNoFileLinux = 7;

    /// <summary>The soft and hard open-file limits; null where not known (not Linux, or the call failed).</summary>
    public static (ulong Soft, ulong Hard)? OpenFileLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return GetRLimit(RlimitNoFileLinux, out RLimit limit) == 0 ? ((ulong)limit.Current, (ulong)limit.Maximum) : null;
    }

    /// <summary>
    /// Makes sure at least <paramref name="needed"/> descriptors may be open: raises the soft limit to the
    /// hard limit when it is lower than that. Returns the soft limit in force afterwards (null where unknown).
    /// </summary>
    public static ulong? EnsureOpenFiles(ulong needed)
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNoFileLinux, out RLimit limit) != 0)
        {
            return null;
        }

        if ((ulong)limit.Current >= needed || limit.Current == limit.Maximum)
        {
            return limit.Current;
        }

        var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
        return SetRLimit(RlimitNoFileLinux, in raised) == 0 ? raised.Current : limit.Current;
    }

    // struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }, rlim_t = unsigned long (pointer-sized on Linux).
    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public nuint Current;
        public nuint Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
