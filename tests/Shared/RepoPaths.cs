namespace OneStopPi.TestSupport;

/// <summary>Paths inside the repository, found from the test assembly's folder (bin/Release/net10.0).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OneStopPi.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"OneStopPi.sln not found above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootPath.Value;

    public static string Peers => Path.Combine(Root, "tests", "peers");

    public static string WalkTools => Path.Combine(Peers, "walks-tools");

    public static string SampleWalks => Path.Combine(Root, "samples", "walks");

    /// <summary>The test project's own Data folder, copied beside its binary.</summary>
    public static string TestData => Path.Combine(AppContext.BaseDirectory, "Data");

    /// <summary>The recordings in samples/walks, sorted by name.</summary>
    public static IReadOnlyList<string> SampleRecordings() =>
        [.. Directory.GetFiles(SampleWalks, "*.snmprec").Order(StringComparer.Ordinal)];

    /// <summary>A fresh directory under /tmp that snmpsimd (user nobody) can reach.</summary>
    public static string NewRunDirectory(string prefix)
    {
        string path = Path.Combine("/tmp", $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
