using System.Runtime.CompilerServices;

namespace OneStopPi.Simulator.Tests;

/// <summary>Where the repository's sample recordings and peer scripts are, found from this source file.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>samples/walks: the 64 recordings the simulator, the demo and the tests serve.</summary>
    public static string Walks => Path.Combine(RepositoryRoot, "samples", "walks");

    /// <summary>tests/peers/walks-tools: run_fleet.sh (snmpsim fleet), copied unchanged from shared/walks/tools.</summary>
    public static string WalksTools => Path.Combine(RepositoryRoot, "tests", "peers", "walks-tools");

    public static IEnumerable<string> SampleFiles() =>
        Directory.GetFiles(Walks, "*.snmprec").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static string FindRoot([CallerFilePath] string source = "")
    {
        for (string? dir = Path.GetDirectoryName(source); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "OneStopPi.sln")))
            {
                return dir;
            }
        }

        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "OneStopPi.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (OneStopPi.sln).");
    }
}
