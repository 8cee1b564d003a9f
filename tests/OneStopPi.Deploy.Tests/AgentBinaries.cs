using OneStopPi.TestSupport;

namespace OneStopPi.Deploy.Tests;

/// <summary>
/// The Native AOT agent the packages wrap: scripts/check-aot's output in artifacts/publish/&lt;rid&gt;, published
/// once when it is missing (minutes: ILC on two cores), so the package tests wrap the real binary.
/// </summary>
internal static class AgentBinaries
{
    private static readonly Dictionary<string, Lazy<Task<string>>> Binaries = new()
    {
        ["linux-x64"] = new(() => PublishedAsync("linux-x64")),
        ["linux-arm64"] = new(() => PublishedAsync("linux-arm64")),
    };

    /// <summary>The agent for <paramref name="rid"/> (linux-x64 or linux-arm64).</summary>
    public static Task<string> GetAsync(string rid) => Binaries[rid].Value;

    private static async Task<string> PublishedAsync(string rid)
    {
        string binary = Path.Combine(RepoPaths.Root, "artifacts", "publish", rid, "onestoppi");
        if (File.Exists(binary))
        {
            return binary;
        }

        ProcessResult publish = await ExternalProcess.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "check-aot"), [rid],
            timeout: TimeSpan.FromMinutes(30), workingDirectory: RepoPaths.Root).ConfigureAwait(false);
        if (publish.ExitCode != 0 || !File.Exists(binary))
        {
            // arm64 needs the cross toolchain (clang, lld, the arm64 sysroot): a machine without it is a missing prerequisite
            Prerequisite.Missing($"scripts/check-aot {rid} did not publish {binary}:\n{Tail(publish.StandardOutput)}\n{Tail(publish.StandardError)}");
        }

        return binary;
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];
}
