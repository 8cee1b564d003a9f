namespace OneStopPi.Collection.Tests.Support;

/// <summary>Paths inside the repository, found from the test binary's directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string SampleWalks => Path.Combine(Root, "samples", "walks");

    public static string RunFleet => Path.Combine(Root, "tests", "peers", "walks-tools", "run_fleet.sh");

    public static string TestData => Path.Combine(TestContext.CurrentContext.TestDirectory, "Data");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OneStopPi.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OneStopPi.sln not found above " + AppContext.BaseDirectory);
    }
}
