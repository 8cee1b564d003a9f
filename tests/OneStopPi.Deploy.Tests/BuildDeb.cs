using System.Security.Cryptography;
using OneStopPi.TestSupport;

namespace OneStopPi.Deploy.Tests;

/// <summary>Runs deploy/build-deb and the dpkg tools on its output.</summary>
internal static class BuildDeb
{
    public static string Script => Path.Combine(RepoPaths.Root, "deploy", "build-deb");

    /// <summary>The development key build-deb makes on first use; the tests pass it explicitly so every build agrees.</summary>
    public static string DevelopmentKey => Path.Combine(RepoPaths.Root, "artifacts", "release-key", "release-key.pem");

    public static Task<ProcessResult> RunAsync(params string[] arguments) =>
        ExternalProcess.RunAsync(Script, arguments, timeout: TimeSpan.FromMinutes(5), workingDirectory: RepoPaths.Root);

    /// <summary>Packages <paramref name="binary"/> as <paramref name="version"/> into <paramref name="outDirectory"/>; fails the test if build-deb does.</summary>
    public static async Task<string> PackageAsync(string version, string arch, string binary, string outDirectory)
    {
        ProcessResult result = await RunAsync(version, "--arch", arch, "--binary", binary, "--out", outDirectory).ConfigureAwait(false);
        Assert.That(result.ExitCode, Is.Zero, $"build-deb {version} {arch}: {result}");
        string deb = Path.Combine(outDirectory, $"onestoppi_{version}_{arch}.deb");
        Assert.That(File.Exists(deb), Is.True, $"build-deb did not write {deb}: {result}");
        return deb;
    }

    /// <summary>Runs a tool that must succeed and returns its standard output.</summary>
    public static async Task<string> ToolAsync(string tool, params string[] arguments)
    {
        ProcessResult result = await ExternalProcess.RunAsync(tool, arguments, timeout: TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        Assert.That(result.ExitCode, Is.Zero, $"{tool} {string.Join(' ', arguments)}: {result}");
        return result.StandardOutput;
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public static void RequireTools()
    {
        Prerequisite.RequireFile("/usr/bin/dpkg-deb", "dpkg");
        Prerequisite.RequireFile("/usr/bin/readelf", "binutils");
        Prerequisite.RequireFile("/usr/bin/openssl", "openssl");
    }
}

/// <summary>The two versions of the x64 agent package that every test shares: built once per test run.</summary>
internal static class X64Packages
{
    public const string First = "1.0.0";
    public const string Second = "1.1.0";

    private static readonly Lazy<Task<(string First, string Second)>> Built = new(BuildAsync);

    public static Task<(string First, string Second)> GetAsync() => Built.Value;

    private static async Task<(string, string)> BuildAsync()
    {
        string binary = await AgentBinaries.GetAsync("linux-x64").ConfigureAwait(false);
        string outDirectory = Directory.CreateTempSubdirectory("osp-deb-").FullName;
        string first = await BuildDeb.PackageAsync(First, "amd64", binary, outDirectory).ConfigureAwait(false);
        string second = await BuildDeb.PackageAsync(Second, "amd64", binary, outDirectory).ConfigureAwait(false);
        return (first, second);
    }
}
