using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Upgrade;

/// <summary>
/// The privileged half of a remote upgrade (<c>onestoppi upgrade-helper</c>, started as root by
/// systemd/onestoppi-upgrade.path when the agent hands over a request). It trusts nothing the agent
/// wrote: it copies the package into its own directory and checks it again (size, SHA-256, signature
/// with the installed release key, name, version, architecture, downgrade). Then, one journal step at a
/// time, each written and fsynced before it is acted on (a kill or power cut resumes at the step it
/// stopped in): keep the installed version's package, install the new one, restart the agent, and wait
/// for the new version to reach the portal; if it does not within the limit, reinstall the previous one.
/// The outcome goes back to the agent, which reports it to the portal once.
/// </summary>
public sealed partial class UpgradeHelper
{
    public static readonly TimeSpan DefaultWaitLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private const long MaxPackageBytes = 256L * 1024 * 1024;
    private const UnixFileMode ReadableByAgent = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly UpgradePaths _paths;
    private readonly IPackageInstaller _installer;
    private readonly IAgentService _agent;
    private readonly TimeProvider _time;
    private readonly ILogger<UpgradeHelper> _logger;
    private readonly TimeSpan _waitLimit;
    private readonly Action<UpgradeJournal>? _afterSave;

    /// <param name="afterSave">Called after each journal write (tests stop the helper there, as a kill would).</param>
    public UpgradeHelper(UpgradePaths paths, IPackageInstaller installer, IAgentService agent, TimeProvider time, ILogger<UpgradeHelper> logger,
        TimeSpan? waitLimit = null, Action<UpgradeJournal>? afterSave = null)
    {
        _paths = paths;
        _installer = installer;
        _agent = agent;
        _time = time;
        _logger = logger;
        _waitLimit = waitLimit ?? DefaultWaitLimit;
        _afterSave = afterSave;
    }

    /// <summary>Resumes the journal, or takes on a waiting request; returns when the upgrade has an outcome (or there is nothing to do).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_paths.HelperDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.DeleteLeftovers(_paths.HelperDirectory);
        UpgradeJournal? journal = LoadJournal();
        if (journal is null)
        {
            journal = await ClaimAsync(cancellationToken).ConfigureAwait(false);
            if (journal is null)
            {
                return;
            }
        }
        else
        {
            LogResuming(journal.CommandId, journal.Step);
        }

        while (!IsFinal(journal.Step))
        {
            journal = journal.Step switch
            {
                UpgradeStep.Verified => await SavePreviousAsync(journal, cancellationToken).ConfigureAwait(false),
                UpgradeStep.SavedPrevious or UpgradeStep.Installing => await InstallAsync(journal, cancellationToken).ConfigureAwait(false),
                UpgradeStep.Waiting => await WaitAsync(journal, cancellationToken).ConfigureAwait(false),
                UpgradeStep.RollingBack => await RollBackAsync(journal, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"journal step {journal.Step} has no action"),
            };
        }

        await FinishAsync(journal, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsFinal(UpgradeStep step) => step is UpgradeStep.Done or UpgradeStep.RolledBack or UpgradeStep.Refused or UpgradeStep.RollbackFailed;

    // ---- the request ---------------------------------------------------------------------------

    /// <summary>Copies and checks what the agent handed over; a journal at Verified, or null (nothing there, or refused and answered).</summary>
    private async Task<UpgradeJournal?> ClaimAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_paths.ClaimedRequest))
        {
            try
            {
                File.Move(_paths.Request, _paths.ClaimedRequest);
            }
            catch (FileNotFoundException)
            {
                // Nothing handed over, or the agent gave up on it (it renames it away the same way).
                LogNothingToDo(_paths.Request);
                return null;
            }
        }

        UpgradeRequest? request = ReadRequest();
        if (request is null)
        {
            // Without a command id there is nobody to answer: the agent reports the command as interrupted.
            LogUnreadableRequest(_paths.ClaimedRequest);
            RemoveHandover();
            return null;
        }

        LogClaiming(request.CommandId, request.Version);
        Directory.CreateDirectory(_paths.WorkDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string copy = Path.Combine(_paths.WorkDirectory, $"{request.CommandId}.deb");
        var refused = new UpgradeJournal(request.CommandId, UpgradeStep.Refused, request.Version, request.Architecture, "?", copy, RootReadOnly: false);
        string? installed = null;
        string? refusal;
        try
        {
            installed = await _installer.InstalledVersionAsync(cancellationToken).ConfigureAwait(false);
            refusal = await CheckAsync(request, copy, installed, cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            refusal = e.Message;
        }
        catch (IOException e)
        {
            refusal = $"the handed-over files cannot be read: {e.Message}";
        }

        if (refusal is not null)
        {
            await FinishAsync(refused with { FromVersion = installed ?? "?", Reason = refusal }, cancellationToken).ConfigureAwait(false);
            return null;
        }

        bool readOnly = await _installer.IsRootReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        return await SaveAsync(new UpgradeJournal(request.CommandId, UpgradeStep.Verified, request.Version, request.Architecture, installed!, copy, readOnly),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Null when the copy is the signed package the request names and may be installed over <paramref name="installed"/>.</summary>
    private async Task<string?> CheckAsync(UpgradeRequest request, string copy, string? installed, CancellationToken cancellationToken)
    {
        if (installed is null)
        {
            return $"{DebianArchitecture.PackageName} is not installed as a Debian package here: there is nothing to upgrade or roll back to";
        }

        if (IsLink(_paths.Package) || IsLink(_paths.Signature))
        {
            return "the handed-over package or signature is a symbolic link";
        }

        byte[] signature = await File.ReadAllBytesAsync(_paths.Signature, cancellationToken).ConfigureAwait(false);
        long size;
        try
        {
            size = await CopyAsync(_paths.Package, copy, Math.Min(request.Size, MaxPackageBytes), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }

        if (size != request.Size)
        {
            return $"the package is {size} bytes, the request says {request.Size}";
        }

        byte[] hash = await ReleaseSignature.HashFileAsync(copy, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(Convert.ToHexStringLower(hash), request.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"the package's SHA-256 is {Convert.ToHexStringLower(hash)}, the request says {request.Sha256}";
        }

        try
        {
            if (!await ReleaseSignature.VerifyAsync(hash, signature, _paths.ReleaseKey, cancellationToken).ConfigureAwait(false))
            {
                return $"the package's signature does not match the release key {_paths.ReleaseKey}";
            }
        }
        catch (ReleaseKeyException e)
        {
            return e.Message;
        }

        PackageFields fields = await _installer.ReadFieldsAsync(copy, cancellationToken).ConfigureAwait(false);
        string architecture = await _installer.ArchitectureAsync(cancellationToken).ConfigureAwait(false);
        if (fields.Package != DebianArchitecture.PackageName || fields.Version != request.Version || fields.Architecture != architecture)
        {
            return $"the package is {fields.Package} {fields.Version} for {fields.Architecture}; expected {DebianArchitecture.PackageName} {request.Version} for {architecture}";
        }

        int order = DebianVersion.Compare(request.Version, installed);
        return order <= 0 && !request.AllowDowngrade ? $"{request.Version} is not newer than the installed {installed} and the command does not allow going back" : null;
    }

    // ---- the steps -----------------------------------------------------------------------------

    /// <summary>Verified → SavedPrevious: a package of the installed version to roll back to (kept from its own install, or rebuilt).</summary>
    private async Task<UpgradeJournal> SavePreviousAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        string previous = _paths.KeptPackage(journal.FromVersion, journal.Architecture);
        if (!File.Exists(previous) && await IsImagePackageAsync(journal, cancellationToken).ConfigureAwait(false))
        {
            // The SD-card image has no dpkg-repack, and its first version was installed by the image build, not here.
            await KeepAsync(_paths.ImagePackage(journal.FromVersion, journal.Architecture), previous, cancellationToken).ConfigureAwait(false);
        }

        if (!File.Exists(previous))
        {
            string? rebuilt;
            try
            {
                rebuilt = await _installer.RepackInstalledAsync(Path.Combine(_paths.WorkDirectory, "repack"), cancellationToken).ConfigureAwait(false);
            }
            catch (UpgradeToolException e)
            {
                return await SaveAsync(journal with { Step = UpgradeStep.Refused, Reason = $"no package of the installed {journal.FromVersion} to roll back to: {e.Message}" },
                    cancellationToken).ConfigureAwait(false);
            }

            if (rebuilt is null)
            {
                return await SaveAsync(journal with
                {
                    Step = UpgradeStep.Refused,
                    Reason = $"no package of the installed {journal.FromVersion} to roll back to: install dpkg-repack, or put its .deb at {previous}",
                }, cancellationToken).ConfigureAwait(false);
            }

            await KeepAsync(rebuilt, previous, cancellationToken).ConfigureAwait(false);
            File.Delete(rebuilt);
        }

        return await SaveAsync(journal with { Step = UpgradeStep.SavedPrevious, PreviousPackage = previous }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the image ships a package of the installed version (its fields checked: a rollback reinstalls it).</summary>
    private async Task<bool> IsImagePackageAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        string package = _paths.ImagePackage(journal.FromVersion, journal.Architecture);
        if (!File.Exists(package))
        {
            return false;
        }

        PackageFields fields = await _installer.ReadFieldsAsync(package, cancellationToken).ConfigureAwait(false);
        if (fields.Package == DebianArchitecture.PackageName && fields.Version == journal.FromVersion && fields.Architecture == journal.Architecture)
        {
            return true;
        }

        LogImagePackageMismatch(package, fields.Package, fields.Version, fields.Architecture);
        return false;
    }

    /// <summary>SavedPrevious/Installing → Waiting (installed) or RollingBack (dpkg failed). Installing again after a kill is what dpkg expects.</summary>
    private async Task<UpgradeJournal> InstallAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        if (journal.Step != UpgradeStep.Installing)
        {
            journal = await SaveAsync(journal with { Step = UpgradeStep.Installing }, cancellationToken).ConfigureAwait(false);
        }

        LogInstalling(journal.CommandId, journal.Version, journal.FromVersion);
        try
        {
            await InstallWritableAsync(journal, journal.Package, cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            return await SaveAsync(journal with { Step = UpgradeStep.RollingBack, Reason = $"version {journal.Version} did not install: {e.Message}" }, cancellationToken)
                .ConfigureAwait(false);
        }

        await KeepAsync(journal.Package, _paths.KeptPackage(journal.Version, journal.Architecture), cancellationToken).ConfigureAwait(false);

        // Only a contact the new process writes counts: forget the old one, and its process id.
        int? before = PortalContactFile.Read(_paths.PortalContact)?.ProcessId;
        File.Delete(_paths.PortalContact);
        return await SaveAsync(journal with { Step = UpgradeStep.Waiting, AgentProcessBefore = before }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waiting → Done when the new version reached the portal within the limit, else RollingBack. A resumed wait restarts the agent and the limit.</summary>
    private async Task<UpgradeJournal> WaitAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        try
        {
            await _agent.RestartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            return await SaveAsync(journal with { Step = UpgradeStep.RollingBack, Reason = $"version {journal.Version} did not start: {e.Message}" }, cancellationToken)
                .ConfigureAwait(false);
        }

        long started = _time.GetTimestamp();
        while (true)
        {
            if (PortalContactFile.Read(_paths.PortalContact) is { } contact && contact.Version == journal.Version && contact.ProcessId != journal.AgentProcessBefore)
            {
                LogReachedPortal(journal.CommandId, journal.Version, _time.GetElapsedTime(started).TotalSeconds);
                return await SaveAsync(journal with { Step = UpgradeStep.Done }, cancellationToken).ConfigureAwait(false);
            }

            if (_time.GetElapsedTime(started) >= _waitLimit)
            {
                return await SaveAsync(journal with
                {
                    Step = UpgradeStep.RollingBack,
                    Reason = $"version {journal.Version} did not reach the portal within {_waitLimit.TotalMinutes:0.#} minutes",
                }, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>RollingBack → RolledBack (the previous version reinstalled and restarted) or RollbackFailed.</summary>
    private async Task<UpgradeJournal> RollBackAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        LogRollingBack(journal.CommandId, journal.FromVersion, journal.Reason);
        try
        {
            await InstallWritableAsync(journal, journal.PreviousPackage ?? throw new UpgradeToolException("the journal names no previous package"), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            return await SaveAsync(journal with { Step = UpgradeStep.RollbackFailed, Reason = $"{journal.Reason}; reinstalling {journal.FromVersion} failed too: {e.Message}" },
                cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _agent.RestartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            LogRestartAfterRollbackFailed(journal.CommandId, e.Message); // installed all the same; systemd keeps trying (Restart=always)
        }

        return await SaveAsync(journal with { Step = UpgradeStep.RolledBack }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>dpkg -i, with / read-write only for as long as it runs when the image mounts it read-only.</summary>
    private async Task InstallWritableAsync(UpgradeJournal journal, string package, CancellationToken cancellationToken)
    {
        if (journal.RootReadOnly)
        {
            await _installer.SetRootWritableAsync(true, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _installer.InstallAsync(package, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (journal.RootReadOnly)
            {
                await MakeRootReadOnlyAsync(journal.CommandId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Best effort: a busy / that will not go read-only does not undo an install; FinishAsync tries again.</summary>
    private async Task MakeRootReadOnlyAsync(long commandId, CancellationToken cancellationToken)
    {
        try
        {
            await _installer.SetRootWritableAsync(false, cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException e)
        {
            LogStillWritable(commandId, e.Message);
        }
    }

    /// <summary>Writes the outcome for the agent, then removes the request, then the journal: a kill in between repeats only this.</summary>
    private async Task FinishAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        if (journal.RootReadOnly && !await _installer.IsRootReadOnlyAsync(cancellationToken).ConfigureAwait(false))
        {
            await MakeRootReadOnlyAsync(journal.CommandId, cancellationToken).ConfigureAwait(false); // a kill inside the install window left it writable
        }

        string? installed;
        try
        {
            installed = await _installer.InstalledVersionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UpgradeToolException)
        {
            installed = null; // only informative in the outcome
        }

        (bool succeeded, string message) = journal.Step switch
        {
            UpgradeStep.Done => (true, $"upgraded to {journal.Version} (from {journal.FromVersion})"),
            UpgradeStep.RolledBack => (false, $"rolled back: {journal.Reason}; {journal.FromVersion} is installed again"),
            UpgradeStep.RollbackFailed => (false, $"rollback failed: {journal.Reason}"),
            _ => (false, $"refused by the upgrade helper: {journal.Reason}"),
        };
        var outcome = new UpgradeOutcome(journal.CommandId, succeeded, message, installed);
        if (Directory.Exists(_paths.HandoverDirectory))
        {
            await AtomicFile.WriteAsync(_paths.Outcome(journal.CommandId), JsonSerializer.SerializeToUtf8Bytes(outcome, UpgradeJsonContext.Default.UpgradeOutcome),
                ReadableByAgent, cancellationToken).ConfigureAwait(false);
        }

        LogFinished(journal.CommandId, journal.Step, message);
        RemoveHandover();
        if (journal.Step is UpgradeStep.Done or UpgradeStep.RolledBack)
        {
            PruneKeptPackages(journal);
        }

        if (Directory.Exists(_paths.WorkDirectory))
        {
            Directory.Delete(_paths.WorkDirectory, recursive: true);
        }

        File.Delete(_paths.Journal);
        AtomicFile.SyncDirectory(_paths.HelperDirectory);
    }

    // ---- files ---------------------------------------------------------------------------------

    private async Task<UpgradeJournal> SaveAsync(UpgradeJournal journal, CancellationToken cancellationToken)
    {
        await AtomicFile.WriteAsync(_paths.Journal, JsonSerializer.SerializeToUtf8Bytes(journal, UpgradeJsonContext.Default.UpgradeJournal), cancellationToken)
            .ConfigureAwait(false);
        LogStep(journal.CommandId, journal.Step);
        _afterSave?.Invoke(journal);
        return journal;
    }

    private UpgradeJournal? LoadJournal()
    {
        try
        {
            return new JsonStateFile<UpgradeJournal>(_paths.Journal, UpgradeJsonContext.Default.UpgradeJournal).Load();
        }
        catch (StateFileCorruptException e)
        {
            // Written atomically, so only a hand edit gets here: start from the request again (re-checked; dpkg -i repeats safely).
            LogJournalUnreadable(e.Message);
            File.Delete(_paths.Journal);
            return null;
        }
    }

    private UpgradeRequest? ReadRequest()
    {
        try
        {
            if (IsLink(_paths.ClaimedRequest) || new FileInfo(_paths.ClaimedRequest).Length > 4096)
            {
                return null;
            }

            return JsonSerializer.Deserialize(File.ReadAllBytes(_paths.ClaimedRequest), UpgradeJsonContext.Default.UpgradeRequest) is { Version: not null, Sha256: not null } r
                && DebianVersion.IsValid(r.Version) && DebianArchitecture.IsValid(r.Architecture) ? r : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void RemoveHandover()
    {
        File.Delete(_paths.Request);
        File.Delete(_paths.ClaimedRequest);
        File.Delete(_paths.Package);
        File.Delete(_paths.Signature);
        if (Directory.Exists(_paths.HandoverDirectory))
        {
            AtomicFile.SyncDirectory(_paths.HandoverDirectory);
        }
    }

    /// <summary>Keeps the packages of the installed and the previous version; older ones go.</summary>
    private void PruneKeptPackages(UpgradeJournal journal)
    {
        if (!Directory.Exists(_paths.KeptPackages))
        {
            return;
        }

        var keep = new HashSet<string>(StringComparer.Ordinal) { _paths.KeptPackage(journal.Version, journal.Architecture), _paths.KeptPackage(journal.FromVersion, journal.Architecture) };
        foreach (string package in Directory.EnumerateFiles(_paths.KeptPackages, "*.deb").Where(p => !keep.Contains(p)))
        {
            File.Delete(package);
        }
    }

    private static async Task KeepAsync(string source, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await AtomicFile.WriteAsync(destination, await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies at most <paramref name="limit"/> bytes; returns the length copied (the source may be longer: then it says so).</summary>
    private static async Task<long> CopyAsync(string source, string destination, long limit, CancellationToken cancellationToken)
    {
        var read = new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous };
        var write = new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.Asynchronous, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using var input = new FileStream(source, read);
        await using var output = new FileStream(destination, write);
        byte[] buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
            if (total > limit)
            {
                throw new InvalidDataException($"the package is longer than the {limit} bytes the request says");
            }

            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }

        output.Flush(flushToDisk: true);
        return total;
    }

    private static bool IsLink(string path) => File.Exists(path) && new FileInfo(path).LinkTarget is not null;

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogNothingToDo(string path)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(6201, nameof(LogNothingToDo)),
                "No upgrade request at {Path} and no journal: nothing to do", path);
        }
    }

    private void LogUnreadableRequest(string path)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(6202, nameof(LogUnreadableRequest)),
                "The upgrade request {Path} is unreadable, too large or a link; removed", path);
        }
    }

    private void LogClaiming(long id, string version)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6203, nameof(LogClaiming)),
                "Upgrade command {Id}: checking version {Version} as handed over", id, version);
        }
    }

    private void LogResuming(long id, UpgradeStep step)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6204, nameof(LogResuming)),
                "Upgrade command {Id}: resuming at step {Step}", id, step);
        }
    }

    private void LogStep(long id, UpgradeStep step)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(6205, nameof(LogStep)),
                "Upgrade command {Id}: journal at {Step}", id, step);
        }
    }

    private void LogInstalling(long id, string version, string from)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6206, nameof(LogInstalling)),
                "Upgrade command {Id}: installing {Version} over {From}", id, version, from);
        }
    }

    private void LogReachedPortal(long id, string version, double seconds)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6207, nameof(LogReachedPortal)),
                "Upgrade command {Id}: version {Version} reached the portal after {Seconds:0} s", id, version, seconds);
        }
    }

    private void LogRollingBack(long id, string from, string? reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(6208, nameof(LogRollingBack)),
                "Upgrade command {Id}: rolling back to {From}: {Reason}", id, from, reason);
        }
    }

    private void LogRestartAfterRollbackFailed(long id, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(6209, nameof(LogRestartAfterRollbackFailed)),
                "Upgrade command {Id}: the previous version is installed again but did not restart: {Reason}", id, reason);
        }
    }

    private void LogFinished(long id, UpgradeStep step, string message)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6210, nameof(LogFinished)),
                "Upgrade command {Id} finished at {Step}: {Message}", id, step, message);
        }
    }

    private void LogStillWritable(long id, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(6212, nameof(LogStillWritable)),
                "Upgrade command {Id}: / could not be made read-only again (the next boot mounts it read-only): {Reason}", id, reason);
        }
    }

    private void LogImagePackageMismatch(string path, string? package, string? version, string? architecture)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6213, nameof(LogImagePackageMismatch)),
                "The image's package {Path} is {Package} {Version} for {Architecture}, not the installed version: not used for a rollback",
                path, package, version, architecture);
        }
    }

    private void LogJournalUnreadable(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(6211, nameof(LogJournalUnreadable)),
                "The upgrade journal is unreadable and was removed: {Reason}", reason);
        }
    }
}
