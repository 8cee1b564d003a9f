namespace OneStopPi.Agent.Upgrade;

/// <summary>What the upgrade helper does to the system's packages; faked in tests, dpkg on the box.</summary>
public interface IPackageInstaller
{
    /// <summary>The installed onestoppi version, or null when it is not installed as a package.</summary>
    Task<string?> InstalledVersionAsync(CancellationToken cancellationToken);

    /// <summary>The system's own architecture (dpkg --print-architecture).</summary>
    Task<string> ArchitectureAsync(CancellationToken cancellationToken);

    /// <exception cref="UpgradeToolException">Not a Debian package, or dpkg-deb is missing.</exception>
    Task<PackageFields> ReadFieldsAsync(string packagePath, CancellationToken cancellationToken);

    /// <exception cref="UpgradeToolException">dpkg refused or failed.</exception>
    Task InstallAsync(string packagePath, CancellationToken cancellationToken);

    /// <summary>Rebuilds the installed package as a .deb in <paramref name="directory"/>; null when that cannot be done here (no dpkg-repack).</summary>
    /// <exception cref="UpgradeToolException">dpkg-repack failed.</exception>
    Task<string?> RepackInstalledAsync(string directory, CancellationToken cancellationToken);

    /// <summary>True when / is mounted read-only (the SD-card image).</summary>
    Task<bool> IsRootReadOnlyAsync(CancellationToken cancellationToken);

    /// <exception cref="UpgradeToolException">The remount failed.</exception>
    Task SetRootWritableAsync(bool writable, CancellationToken cancellationToken);
}

/// <summary>The agent's service as the helper drives it.</summary>
public interface IAgentService
{
    /// <summary>Restarts the agent; with Type=notify, returns once the new process said READY=1.</summary>
    /// <exception cref="UpgradeToolException">It did not start (exited, timed out).</exception>
    Task RestartAsync(CancellationToken cancellationToken);
}

/// <summary>dpkg, dpkg-query, dpkg-repack and mount(8), as root.</summary>
public sealed class DpkgInstaller : IPackageInstaller
{
    private static readonly TimeSpan QueryLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallLimit = TimeSpan.FromMinutes(10);
    private readonly DpkgPackageInspector _inspector = new();
    private readonly string _mountInfo;

    public DpkgInstaller(string mountInfo = "/proc/self/mountinfo") => _mountInfo = mountInfo;

    public async Task<string?> InstalledVersionAsync(CancellationToken cancellationToken)
    {
        ProcessResult result = await ProcessRunner.RunAsync("dpkg-query", ["--show", "--showformat=${db:Status-Status} ${Version}", DebianArchitecture.PackageName],
            QueryLimit, cancellationToken).ConfigureAwait(false);
        string[] words = result.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // "installed 0.2.0"; "config-files" or "not-installed" means there is no program to roll back to.
        return result.ExitCode == 0 && words.Length == 2 && words[0] is not ("not-installed" or "config-files") ? words[1] : null;
    }

    public async Task<string> ArchitectureAsync(CancellationToken cancellationToken)
    {
        ProcessResult result = await ProcessRunner.RunAsync("dpkg", ["--print-architecture"], QueryLimit, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Output.Trim() : throw new UpgradeToolException($"dpkg --print-architecture failed: {result.Tail}");
    }

    public Task<PackageFields> ReadFieldsAsync(string packagePath, CancellationToken cancellationToken) => _inspector.ReadFieldsAsync(packagePath, cancellationToken);

    public async Task InstallAsync(string packagePath, CancellationToken cancellationToken)
    {
        // The dealer's edits to /etc/onestoppi/agent.json (a conffile) are kept without a question.
        ProcessResult result = await ProcessRunner.RunAsync("dpkg", ["--install", "--force-confdef", "--force-confold", packagePath], InstallLimit, cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new UpgradeToolException($"dpkg --install {Path.GetFileName(packagePath)} failed (exit {result.ExitCode}): {result.Tail}");
        }
    }

    public async Task<string?> RepackInstalledAsync(string directory, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/bin/dpkg-repack"))
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        ProcessResult result = await ProcessRunner.RunAsync("/usr/bin/dpkg-repack", [DebianArchitecture.PackageName], InstallLimit, cancellationToken, directory)
            .ConfigureAwait(false);
        string? built = Directory.EnumerateFiles(directory, $"{DebianArchitecture.PackageName}_*.deb").FirstOrDefault();
        return result.ExitCode == 0 && built is not null ? built : throw new UpgradeToolException($"dpkg-repack {DebianArchitecture.PackageName} failed: {result.Tail}");
    }

    public async Task<bool> IsRootReadOnlyAsync(CancellationToken cancellationToken)
    {
        // mountinfo (proc(5)): field 5 is the mount point, field 6 its options; the last "/" is the one in effect.
        string[] lines = await File.ReadAllLinesAsync(_mountInfo, cancellationToken).ConfigureAwait(false);
        string? root = lines.Select(l => l.Split(' ')).LastOrDefault(f => f.Length > 5 && f[4] == "/")?[5];
        return root is not null && root.Split(',').Contains("ro");
    }

    public async Task SetRootWritableAsync(bool writable, CancellationToken cancellationToken)
    {
        ProcessResult result = await ProcessRunner.RunAsync("mount", ["-o", writable ? "remount,rw" : "remount,ro", "/"], QueryLimit, cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new UpgradeToolException($"remounting / {(writable ? "read-write" : "read-only")} failed: {result.Tail}");
        }
    }
}

/// <summary>systemctl restart onestoppi.service.</summary>
public sealed class SystemctlAgentService : IAgentService
{
    public const string Unit = "onestoppi.service";

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        ProcessResult result = await ProcessRunner.RunAsync("systemctl", ["restart", Unit], TimeSpan.FromMinutes(3), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new UpgradeToolException($"systemctl restart {Unit} failed: {result.Tail}");
        }
    }
}
