using System.Text;
using System.Text.Json;
using OneStopPi.Agent.Upgrade;

namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary>
/// The system as the helper sees it, in memory: which onestoppi is installed, whether / is read-only,
/// what was installed and remounted in which order. A "package" here is a text file of control fields
/// (the real dpkg path is the image boot test's).
/// </summary>
internal sealed class FakeInstaller : IPackageInstaller
{
    public FakeInstaller(string installed) => Installed = installed;

    public string? Installed { get; set; }

    public string Architecture { get; set; } = "arm64";

    public bool RootReadOnly { get; set; } = true;

    public bool CanRepack { get; set; } = true;

    /// <summary>mount -o remount,ro / fails (a file still open for writing).</summary>
    public bool RootBusy { get; set; }

    /// <summary>Versions whose install dpkg refuses.</summary>
    public HashSet<string> FailingInstalls { get; } = [];

    public List<string> Installs { get; } = [];

    /// <summary>Kill the helper (once) right after dpkg finished, inside the read-write window.</summary>
    public bool KillAfterNextInstall { get; set; }

    /// <summary>
    /// Set by that kill: a killed process does nothing more (a thrown exception would still run the helper's
    /// finally blocks), so calls are ignored until the test starts the next run.
    /// </summary>
    public bool Killed { get; set; }

    /// <summary>Whether / was writable during each install.</summary>
    public List<bool> WritableDuringInstall { get; } = [];

    public static byte[] Package(string version, string architecture = "arm64") =>
        Encoding.UTF8.GetBytes($"Package: onestoppi\nVersion: {version}\nArchitecture: {architecture}\n{new string('x', 2000)}\n");

    public Task<string?> InstalledVersionAsync(CancellationToken cancellationToken) => Task.FromResult(Installed);

    public Task<string> ArchitectureAsync(CancellationToken cancellationToken) => Task.FromResult(Architecture);

    public async Task<PackageFields> ReadFieldsAsync(string packagePath, CancellationToken cancellationToken)
    {
        var fields = (await File.ReadAllLinesAsync(packagePath, cancellationToken)).Where(l => l.Contains(':', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
        return new PackageFields(fields.GetValueOrDefault("Package"), fields.GetValueOrDefault("Version"), fields.GetValueOrDefault("Architecture"));
    }

    public async Task InstallAsync(string packagePath, CancellationToken cancellationToken)
    {
        PackageFields fields = await ReadFieldsAsync(packagePath, cancellationToken);
        Installs.Add(fields.Version!);
        WritableDuringInstall.Add(!RootReadOnly);
        if (RootReadOnly)
        {
            throw new UpgradeToolException("dpkg: error: unable to write: Read-only file system");
        }

        if (FailingInstalls.Contains(fields.Version!))
        {
            throw new UpgradeToolException($"dpkg: error processing archive onestoppi_{fields.Version}.deb (--install): subprocess new pre-installation script returned error exit status 1");
        }

        Installed = fields.Version;
        if (KillAfterNextInstall)
        {
            KillAfterNextInstall = false;
            Killed = true;
            throw new SimulatedKillException("killed with / still read-write");
        }
    }

    public async Task<string?> RepackInstalledAsync(string directory, CancellationToken cancellationToken)
    {
        if (!CanRepack)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"onestoppi_{Installed}_{Architecture}.deb");
        await File.WriteAllBytesAsync(path, Package(Installed!, Architecture), cancellationToken);
        return path;
    }

    public Task<bool> IsRootReadOnlyAsync(CancellationToken cancellationToken) => Task.FromResult(RootReadOnly);

    public Task SetRootWritableAsync(bool writable, CancellationToken cancellationToken)
    {
        if (Killed)
        {
            return Task.CompletedTask;
        }

        if (!writable && RootBusy)
        {
            throw new UpgradeToolException("remounting / read-only failed: mount: /: mount point is busy.");
        }

        RootReadOnly = !writable;
        return Task.CompletedTask;
    }
}

/// <summary>
/// The agent's service: a restart starts whatever version is installed. A version can exit at start
/// (systemctl restart fails), start but never reach the portal, or work (it writes portal-contact.json).
/// </summary>
internal sealed class FakeAgentService : IAgentService
{
    private readonly FakeInstaller _installer;
    private readonly UpgradePaths _paths;
    private readonly TimeProvider _time;
    private int _nextProcessId = 1000;

    public FakeAgentService(FakeInstaller installer, UpgradePaths paths, TimeProvider time)
    {
        _installer = installer;
        _paths = paths;
        _time = time;
    }

    public HashSet<string> ExitAtStart { get; } = [];

    public HashSet<string> NeverReachPortal { get; } = [];

    public List<string> Restarts { get; } = [];

    /// <summary>The version running now (null after a failed start).</summary>
    public string? Running { get; private set; }

    /// <summary>The old process, before the upgrade, writing its contact as it runs.</summary>
    public void RunOld(string version)
    {
        Running = version;
        WriteContact(version);
    }

    public Task RestartAsync(CancellationToken cancellationToken)
    {
        string version = _installer.Installed!;
        Restarts.Add(version);
        if (ExitAtStart.Contains(version))
        {
            Running = null;
            throw new UpgradeToolException("systemctl restart onestoppi.service failed: Job for onestoppi.service failed because the control process exited with error code.");
        }

        Running = version;
        if (!NeverReachPortal.Contains(version))
        {
            WriteContact(version);
        }

        return Task.CompletedTask;
    }

    private void WriteContact(string version) =>
        File.WriteAllBytes(_paths.PortalContact, JsonSerializer.SerializeToUtf8Bytes(new PortalContact(version, _nextProcessId++, _time.GetUtcNow()),
            UpgradeJsonContext.Default.PortalContact));
}

/// <summary>Stands for SIGKILL or a power cut: thrown from the journal hook, caught by nothing in the helper.</summary>
internal sealed class SimulatedKillException : Exception
{
    public SimulatedKillException() { }

    public SimulatedKillException(string message) : base(message) { }

    public SimulatedKillException(string message, Exception innerException) : base(message, innerException) { }
}
