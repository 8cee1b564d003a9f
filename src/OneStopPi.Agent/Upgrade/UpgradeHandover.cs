using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Upgrade;

/// <summary>Where a handed-over upgrade stands, as the agent sees it.</summary>
public enum UpgradeProgress
{
    /// <summary>No request and no outcome for this command: it was never handed over (or its outcome was reported).</summary>
    NotHandedOver,

    /// <summary>The request waits for the helper, or the helper is working on it.</summary>
    InProgress,

    /// <summary>The helper wrote its outcome; the agent reports it.</summary>
    Finished,
}

/// <summary>
/// The agent's half of a remote upgrade (command 7): it fetches the package for its own architecture
/// from the portal, checks it against the command (size, SHA-256), the release key shipped in the
/// installed package (signature), and its own control fields (name, version, architecture), refuses a
/// downgrade the command does not allow, and only then hands it to the privileged helper by writing
/// package, signature and request into state/upgrade/. The service never installs anything itself.
/// </summary>
public sealed partial class UpgradeHandover
{
    private readonly PortalClient _client;
    private readonly UpgradePaths _paths;
    private readonly IPackageInspector _inspector;
    private readonly string _runningVersion;
    private readonly string _architecture;
    private readonly ILogger<UpgradeHandover> _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<long, long> _waitingSince = [];

    /// <summary>How long a handed-over request may wait for the helper to take it before the agent gives up.</summary>
    public static readonly TimeSpan ClaimLimit = TimeSpan.FromMinutes(15);

    public UpgradeHandover(PortalClient client, UpgradePaths paths, IPackageInspector inspector, AgentVersion version, ILogger<UpgradeHandover> logger,
        string? architecture = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _client = client;
        _paths = paths;
        _inspector = inspector;
        _runningVersion = version.Value;
        _architecture = architecture ?? DebianArchitecture.Current;
        _logger = logger;
    }

    /// <summary>Checks and hands over; null when handed over, else why it was refused (nothing handed over then).</summary>
    public async Task<string?> HandOverAsync(PortalSession session, long commandId, string? parameter, CancellationToken cancellationToken)
    {
        if (ReadRequest() is { } pending)
        {
            return $"refused: another upgrade (command {pending.CommandId}, to {pending.Version}) is in progress";
        }

        UpgradeParameter? upgrade = Parse(parameter);
        if (upgrade is null || !DebianVersion.IsValid(upgrade.Version))
        {
            return "refused: the parameter is not an upgrade (version, allowDowngrade, packages)";
        }

        if (upgrade.Packages.FirstOrDefault(p => p.Architecture == _architecture) is not { } package)
        {
            return $"refused: release {upgrade.Version} has no package for this agent's architecture {_architecture} (it has {string.Join(", ", upgrade.Packages.Select(p => p.Architecture))})";
        }

        int order = DebianVersion.Compare(upgrade.Version, _runningVersion);
        if (order <= 0 && !upgrade.AllowDowngrade)
        {
            return order == 0
                ? $"refused: version {_runningVersion} is already running (queue it with allowDowngrade to reinstall it)"
                : $"refused: {upgrade.Version} is older than the running {_runningVersion} (queue it with allowDowngrade to go back)";
        }

        byte[] expectedHash, signature;
        try
        {
            expectedHash = Convert.FromHexString(package.Sha256);
            signature = Convert.FromBase64String(package.Signature);
        }
        catch (FormatException)
        {
            return "refused: the command's SHA-256 or signature is not hex / base64";
        }

        if (package.Size <= 0 || expectedHash.Length != SHA256.HashSizeInBytes)
        {
            return "refused: the command's package size or SHA-256 is not valid";
        }

        Directory.CreateDirectory(_paths.HandoverDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        RemoveLeftovers();
        string download = Path.Combine(_paths.HandoverDirectory, $".download-{commandId.ToString(CultureInfo.InvariantCulture)}{AtomicFile.TemporarySuffix}");
        try
        {
            string? refusal = await DownloadAndCheckAsync(session, upgrade, package, expectedHash, signature, download, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            // The request is written last and by rename: when the helper sees it, package and signature are complete.
            File.Move(download, _paths.Package, overwrite: true);
            await AtomicFile.WriteAsync(_paths.Signature, signature, cancellationToken).ConfigureAwait(false);
            var request = new UpgradeRequest(commandId, upgrade.Version, _architecture, upgrade.AllowDowngrade, package.Size, package.Sha256.ToLowerInvariant(), _runningVersion);
            await AtomicFile.WriteAsync(_paths.Request, JsonSerializer.SerializeToUtf8Bytes(request, UpgradeJsonContext.Default.UpgradeRequest), cancellationToken).ConfigureAwait(false);
            _waitingSince[commandId] = _time.GetTimestamp();
            LogHandedOver(commandId, upgrade.Version, _runningVersion);
            return null;
        }
        finally
        {
            File.Delete(download);
        }
    }

    private async Task<string?> DownloadAndCheckAsync(PortalSession session, UpgradeParameter upgrade, UpgradePackage package, byte[] expectedHash, byte[] signature,
        string download, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = AtomicFile.SecretMode, Options = FileOptions.Asynchronous,
        };
        try
        {
            await using (var file = new FileStream(download, options))
            {
                await _client.DownloadReleaseAsync(session, upgrade.Version, _architecture, file, package.Size, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is PortalUnavailableException or PortalRejectedException)
        {
            return $"refused: the package could not be downloaded: {e.Message}";
        }

        long size = new FileInfo(download).Length;
        if (size != package.Size)
        {
            return $"refused: the package is {size} bytes, the command says {package.Size}";
        }

        byte[] hash = await ReleaseSignature.HashFileAsync(download, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(hash, expectedHash))
        {
            return $"refused: the package's SHA-256 is {Convert.ToHexStringLower(hash)}, the command says {package.Sha256.ToLowerInvariant()}";
        }

        try
        {
            if (!await ReleaseSignature.VerifyAsync(hash, signature, _paths.ReleaseKey, cancellationToken).ConfigureAwait(false))
            {
                return $"refused: the package's signature does not match the release key {_paths.ReleaseKey}";
            }
        }
        catch (ReleaseKeyException e)
        {
            return $"refused: {e.Message}";
        }

        PackageFields fields;
        try
        {
            fields = await _inspector.ReadFieldsAsync(download, cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            return $"refused: {e.Message}";
        }

        if (fields.Package != DebianArchitecture.PackageName)
        {
            return $"refused: the package is '{fields.Package}', not {DebianArchitecture.PackageName}";
        }

        if (fields.Architecture != _architecture)
        {
            return $"refused: the package is built for {fields.Architecture}, this agent runs on {_architecture}";
        }

        return fields.Version != upgrade.Version ? $"refused: the package holds version {fields.Version}, the command says {upgrade.Version}" : null;
    }

    /// <summary>Where the upgrade of <paramref name="commandId"/> stands. The request is looked at first: the helper writes the outcome before it removes the request.</summary>
    public UpgradeProgress ProgressOf(long commandId)
    {
        if (ReadRequest() is { } request && request.CommandId == commandId)
        {
            return UpgradeProgress.InProgress;
        }

        return File.Exists(_paths.Outcome(commandId)) ? UpgradeProgress.Finished : UpgradeProgress.NotHandedOver;
    }

    /// <summary>
    /// Gives up on a request no helper took within <see cref="ClaimLimit"/> of this process seeing it
    /// (no path unit: a box not installed from the package, a unit disabled by hand): takes it back by
    /// rename, which fails if the helper took it first. The reason to report, or null while it may still be taken.
    /// </summary>
    public string? AbandonIfUnclaimed(long commandId)
    {
        if (ReadRequest() is not { } request || request.CommandId != commandId || !File.Exists(_paths.Request))
        {
            return null; // taken by the helper (request.claimed.json), or not this command's
        }

        long now = _time.GetTimestamp();
        if (!_waitingSince.TryGetValue(commandId, out long since))
        {
            _waitingSince[commandId] = now; // monotonic, per process: the Pi's wall clock jumps at NTP sync
            return null;
        }

        if (_time.GetElapsedTime(since, now) < ClaimLimit)
        {
            return null;
        }

        try
        {
            File.Move(_paths.Request, _paths.AbandonedRequest);
        }
        catch (FileNotFoundException)
        {
            return null; // the helper took it just now
        }

        File.Delete(_paths.AbandonedRequest);
        File.Delete(_paths.Package);
        File.Delete(_paths.Signature);
        LogAbandoned(commandId, ClaimLimit.TotalMinutes);
        return $"the upgrade helper did not take the package within {ClaimLimit.TotalMinutes:0} minutes (is onestoppi-upgrade.path installed and enabled?); nothing was installed";
    }

    /// <summary>The helper's outcome; an unreadable one is reported as a failure with the reason.</summary>
    public UpgradeOutcome ReadOutcome(long commandId)
    {
        string path = _paths.Outcome(commandId);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), UpgradeJsonContext.Default.UpgradeOutcome)
                ?? new UpgradeOutcome(commandId, false, $"the upgrade helper's outcome {path} is empty", null);
        }
        catch (JsonException e)
        {
            return new UpgradeOutcome(commandId, false, $"the upgrade helper's outcome {path} is unreadable: {e.Message}", null);
        }
    }

    /// <summary>Removes an outcome once the portal has it (or does not want it any more).</summary>
    public void ForgetOutcome(long commandId) => File.Delete(_paths.Outcome(commandId));

    /// <summary>Outcomes of commands the agent no longer has open (reported before a crash): nothing to say about them.</summary>
    public void ForgetOutcomesExcept(IEnumerable<long> open)
    {
        if (!Directory.Exists(_paths.HandoverDirectory))
        {
            return;
        }

        var keep = open.Select(_paths.Outcome).ToHashSet(StringComparer.Ordinal);
        foreach (string outcome in Directory.EnumerateFiles(_paths.HandoverDirectory, "outcome-*.json").Where(o => !keep.Contains(o)))
        {
            File.Delete(outcome);
        }
    }

    private UpgradeRequest? ReadRequest() => ReadRequest(_paths.Request) ?? ReadRequest(_paths.ClaimedRequest);

    private static UpgradeRequest? ReadRequest(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), UpgradeJsonContext.Default.UpgradeRequest);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // Only this agent writes it, atomically: unreadable means hand-edited. The helper refuses it the same way.
            return new UpgradeRequest(0, "?", "?", false, 0, "", "?");
        }
    }

    /// <summary>A package or download a refused or crashed attempt left behind (no request names them).</summary>
    private void RemoveLeftovers()
    {
        File.Delete(_paths.Package);
        File.Delete(_paths.Signature);
        AtomicFile.DeleteLeftovers(_paths.HandoverDirectory);
    }

    private static UpgradeParameter? Parse(string? parameter)
    {
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(parameter, ContractsJsonContext.Default.UpgradeParameter) is { Version: not null, Packages: not null } p ? p : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogAbandoned(long id, double minutes)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(6102, nameof(LogAbandoned)),
                "Upgrade command {Id}: no upgrade helper took the package within {Minutes} minutes; given up", id, minutes);
        }
    }

    private void LogHandedOver(long id, string version, string running)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6101, nameof(LogHandedOver)),
                "Upgrade command {Id}: version {Version} checked and handed to the upgrade helper (running {Running})", id, version, running);
        }
    }
}
