using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>Debian's headless Chromium, isolated: throwaway profile, no background traffic, no sandbox (root in CI).</summary>
internal static class Chromium
{
    /// <summary>Debian's chromium.</summary>
    public const string Executable = "/usr/bin/chromium";

    public static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        string profile = Directory.CreateTempSubdirectory("onestoppi-chromium-").FullName;
        try
        {
            return await ExternalProcess.RunAsync(Executable,
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", $"--user-data-dir={profile}", .. arguments],
                timeout: TimeSpan.FromSeconds(90));
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
