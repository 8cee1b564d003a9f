using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The executables the service tests run as processes, from their own build output in the same
/// configuration as this test assembly (bin/Release/net10.0 or bin/Debug/net10.0).
/// </summary>
internal static class BuildOutputs
{
    /// <summary>Release or Debug, read from this assembly's folder.</summary>
    public static string Configuration
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return tfm.Parent?.Name ?? "Release";
        }
    }

    public static string TargetFramework => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    /// <summary>onestoppi.dll, the agent (run with <c>dotnet</c>).</summary>
    public static string Agent => Find("OneStopPi.Agent", "onestoppi.dll");

    /// <summary>onestoppi-portal.dll, the reference portal (run with <c>dotnet</c>).</summary>
    public static string Portal => Find("OneStopPi.Portal", "onestoppi-portal.dll");

    private static string Find(string project, string file)
    {
        string path = Path.Combine(RepoPaths.Root, "src", project, "bin", Configuration, TargetFramework, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution (dotnet build OneStopPi.sln -c {Configuration}) first.", path);
    }
}
