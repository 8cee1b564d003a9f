using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upgrade;
using OneStopPi.Contracts;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Text;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Commands;

/// <summary>
/// Carries out the portal's remote commands, each exactly once: the command is recorded as taken
/// on (durably) before it is acknowledged and run, so an agent that restarts mid-way does not run it
/// again. Results that are files (logs, walks) go through the outbox like readings.
/// </summary>
public sealed partial class CommandExecutor
{
    private static readonly TimeSpan WalkTimeLimit = TimeSpan.FromMinutes(10);
    private readonly PortalClient _client;
    private readonly RunStateStore _runState;
    private readonly FileOutbox _outbox;
    private readonly ChannelWriter<ScanJob> _jobs;
    private readonly LogControl _logs;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly SnmpClient _snmp;
    private readonly PortalLink _link;
    private readonly ILogger<CommandExecutor> _logger;
    private readonly UpgradeHandover? _upgrade;
    private readonly HashSet<long> _startedHere = [];

    public CommandExecutor(PortalClient client, RunStateStore runState, FileOutbox outbox, ChannelWriter<ScanJob> jobs, LogControl logs,
        IHostApplicationLifetime lifetime, SnmpClient snmp, PortalLink link, ILogger<CommandExecutor> logger, UpgradeHandover? upgrade = null)
    {
        _upgrade = upgrade;
        _client = client;
        _runState = runState;
        _outbox = outbox;
        _jobs = jobs;
        _logs = logs;
        _lifetime = lifetime;
        _snmp = snmp;
        _link = link;
        _logger = logger;
    }

    public async Task ExecuteAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        var type = (CommandType)command.Type;
        if (_runState.Current.StartedCommands.Contains(command.Id))
        {
            // Taken on before a restart. A restart command did its job by restarting; anything else
            // is reported, not run a second time.
            await _client.AcknowledgeCommandAsync(session, command.Id, cancellationToken).ConfigureAwait(false);
            OpenCommand open = _runState.Current.OpenCommands.FirstOrDefault(c => c.Id == command.Id) ?? new OpenCommand(command.Id, (int)command.Type);
            await ReportOpenAsync(session, open, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _runState.UpdateAsync(s => s with
        {
            StartedCommands = [.. s.StartedCommands, command.Id],
            OpenCommands = [.. s.OpenCommands, new OpenCommand(command.Id, (int)command.Type)],
        }, cancellationToken).ConfigureAwait(false);
        _startedHere.Add(command.Id);
        await _client.AcknowledgeCommandAsync(session, command.Id, cancellationToken).ConfigureAwait(false);
        LogCommand(command.Id, type, command.Parameter);
        switch (type)
        {
            case CommandType.RestartAgent:
                await CompleteAsync(session, command, true, "restarting", cancellationToken).ConfigureAwait(false);
                LogRestarting();
                _lifetime.StopApplication(); // Restart=always brings us back
                break;

            case CommandType.ForceDiscoveryScan:
                await ForceScanAsync(session, command, cancellationToken).ConfigureAwait(false);
                break;

            case CommandType.UploadLogFiles:
                byte[] logs = ZipLogs();
                await _outbox.AppendAsync(OutboxItemKind.CommandResult, command.Id.ToString(CultureInfo.InvariantCulture), logs, cancellationToken).ConfigureAwait(false);
                await CloseAsync(command.Id).ConfigureAwait(false); // the uploader completes it with the result
                break;

            case CommandType.DeleteLogFiles:
                int deleted = DeleteLogs();
                await CompleteAsync(session, command, true, $"deleted {deleted} log file(s); the current one is kept", cancellationToken).ConfigureAwait(false);
                break;

            case CommandType.SetLogMode:
                bool set = _logs.TrySetMode(command.Parameter);
                await CompleteAsync(session, command, set, set ? $"log mode {_logs.Mode}" : $"unknown log mode '{command.Parameter}' (normal, verbose, debug)", cancellationToken).ConfigureAwait(false);
                break;

            case CommandType.WalkMib:
                await WalkAsync(session, command, cancellationToken).ConfigureAwait(false);
                break;

            case CommandType.Upgrade when _upgrade is not null:
                // Handed over, the command stays open: the helper's outcome is reported when it is there (ReportOpenAsync).
                if (await _upgrade.HandOverAsync(session, command.Id, command.Parameter, cancellationToken).ConfigureAwait(false) is { } refusal)
                {
                    await CompleteAsync(session, command, false, refusal, cancellationToken).ConfigureAwait(false);
                }

                break;

            default:
                await CompleteAsync(session, command, false, $"unknown command type {command.Type}", cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task ForceScanAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<ScanOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _jobs.WriteAsync(new ScanJob(ScanKind.Meter, false, null, $"command {command.Id}", done), cancellationToken).ConfigureAwait(false);
        try
        {
            ScanOutcome outcome = await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            await CompleteAsync(session, command, true, $"scan done: {outcome.Devices} device(s), {outcome.Answered} answered, batch {outcome.BatchId}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await CompleteAsync(session, command, false, $"scan failed: {e.Message}", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WalkAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        // Parameter: "IP [start OID]" (docs/portal-api.md); the walk starts at 1.3.6.1 by default.
        string[] words = (command.Parameter ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ObjectIdentifier root = ObjectIdentifier.Parse("1.3.6.1");
        if (words.Length is < 1 or > 2 || !IPEndPoint.TryParse(words[0], out IPEndPoint? endPoint)
            || (words.Length == 2 && !ObjectIdentifier.TryParse(words[1], out root)))
        {
            await CompleteAsync(session, command, false, $"'{command.Parameter}' is not 'IP [start OID]'", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (endPoint.Port == 0)
        {
            endPoint.Port = 161;
        }

        IReadOnlyList<SnmpCredentials> credentials = _link.Plan?.Credentials is { Count: > 0 } c ? c : [new CommunityCredentials(SnmpVersion.V2c, "public")];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(WalkTimeLimit);
        var text = new StringBuilder();
        string? failure = null;
        int count = 0;
        foreach (SnmpCredentials credential in credentials)
        {
            text.Clear();
            count = 0;
            try
            {
                await foreach (Varbind varbind in _snmp.WalkAsync(new SnmpTarget(endPoint, credential), root, null, limit.Token).ConfigureAwait(false))
                {
                    text.AppendLine(NetSnmpFormat.FormatVarbind(varbind));
                    count++;
                }

                failure = null;
                break;
            }
            catch (SnmpTimeoutException e) when (count == 0)
            {
                failure = e.Message; // this credential gets no answer: try the next
            }
            catch (Exception e) when (e is SnmpException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failure = $"walk stopped after {count} object(s): {e.Message}";
                break; // keep what was read
            }
        }

        if (count == 0)
        {
            await CompleteAsync(session, command, false, failure ?? "no object returned", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (failure is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"# {failure}");
        }

        byte[] zip = ZipOf([($"walk-{endPoint.Address}.txt", Encoding.UTF8.GetBytes(text.ToString()))]);
        await _outbox.AppendAsync(OutboxItemKind.CommandResult, command.Id.ToString(CultureInfo.InvariantCulture), zip, cancellationToken).ConfigureAwait(false);
        await CloseAsync(command.Id).ConfigureAwait(false); // the uploader completes it with the result
    }

    private byte[] ZipLogs()
    {
        var entries = new List<(string, byte[])>();
        foreach (string path in Directory.EnumerateFiles(_logs.LogsDirectory))
        {
            // The active file is open for writing by Serilog: share it.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries.Add((Path.GetFileName(path), copy.ToArray()));
        }

        return ZipOf(entries);
    }

    private int DeleteLogs()
    {
        FileInfo[] files = [.. new DirectoryInfo(_logs.LogsDirectory).EnumerateFiles().OrderByDescending(f => f.LastWriteTimeUtc)];
        foreach (FileInfo file in files.Skip(1))
        {
            file.Delete();
        }

        return Math.Max(0, files.Length - 1);
    }

    internal static byte[] ZipOf(IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] content) in entries)
            {
                using Stream entry = archive.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Tells the portal the outcome of commands it has not heard about: outcomes a failed report left
    /// behind, and commands a previous run took on and never finished (killed, power cut, restart).
    /// The portal delivers an acknowledged command only once, so nobody else would.
    /// </summary>
    public async Task ReportOpenCommandsAsync(PortalSession session, CancellationToken cancellationToken)
    {
        foreach (OpenCommand open in _runState.Current.OpenCommands)
        {
            await ReportOpenAsync(session, open, cancellationToken).ConfigureAwait(false);
        }

        // An outcome whose command is closed was reported before a crash could remove it.
        _upgrade?.ForgetOutcomesExcept(_runState.Current.OpenCommands.Select(c => c.Id));
    }

    private async Task ReportOpenAsync(PortalSession session, OpenCommand open, CancellationToken cancellationToken)
    {
        if (open.Type == (int)CommandType.Upgrade && open.Succeeded is null && _upgrade is not null)
        {
            switch (_upgrade.ProgressOf(open.Id))
            {
                case UpgradeProgress.InProgress:
                    if (_upgrade.AbandonIfUnclaimed(open.Id) is { } abandoned)
                    {
                        await ReportAsync(session, open.Id, CommandType.Upgrade, false, abandoned, cancellationToken).ConfigureAwait(false);
                    }

                    return; // else the helper is at work (and may restart this agent): its outcome comes later
                case UpgradeProgress.Finished:
                    UpgradeOutcome outcome = _upgrade.ReadOutcome(open.Id);
                    await ReportAsync(session, open.Id, CommandType.Upgrade, outcome.Succeeded, outcome.Message, cancellationToken).ConfigureAwait(false);
                    _upgrade.ForgetOutcome(open.Id);
                    return;
            }
        }

        string key = open.Id.ToString(CultureInfo.InvariantCulture);
        if (_outbox.Snapshot().Any(i => i.Kind == OutboxItemKind.CommandResult && i.Key == key))
        {
            // It ran to the end: its result waits in the outbox, and the uploader completes the command with it.
            await CloseAsync(open.Id).ConfigureAwait(false);
            return;
        }

        // A restart command did its job by restarting; anything else cut short is reported, not run a second time.
        bool restart = open.Type == (int)CommandType.RestartAgent;
        (bool succeeded, string message) = open.Succeeded is { } done
            ? (done, open.Message ?? "")
            : _startedHere.Contains(open.Id)
                ? (false, "interrupted; not run a second time")
                : (restart, restart ? "agent restarted" : "interrupted by an agent restart; not run a second time");
        await ReportAsync(session, open.Id, (CommandType)open.Type, succeeded, message, cancellationToken).ConfigureAwait(false);
    }

    private Task CompleteAsync(PortalSession session, PendingCommand command, bool succeeded, string message, CancellationToken cancellationToken) =>
        ReportAsync(session, command.Id, (CommandType)command.Type, succeeded, message, cancellationToken);

    /// <summary>Records the outcome durably, then tells the portal; a report that fails is sent again by <see cref="ReportOpenCommandsAsync"/>.</summary>
    private async Task ReportAsync(PortalSession session, long id, CommandType type, bool succeeded, string message, CancellationToken cancellationToken)
    {
        LogCompleted(id, type, succeeded, message);
        if (_runState.Current.OpenCommands.Any(c => c.Id == id && c.Succeeded is null))
        {
            await _runState.UpdateAsync(s => s with { OpenCommands = [.. s.OpenCommands.Select(c => c.Id == id ? c with { Succeeded = succeeded, Message = message } : c)] },
                CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            await _client.CompleteCommandAsync(session, id, new CommandOutcome(succeeded, message), cancellationToken).ConfigureAwait(false);
        }
        catch (PortalRejectedException e) when (e.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Already finished on the portal (a report repeated after a crash), or the command is gone.
            LogReportNotWanted(id, e.Message);
        }

        await CloseAsync(id).ConfigureAwait(false);
    }

    private async Task CloseAsync(long id)
    {
        if (_runState.Current.OpenCommands.Any(c => c.Id == id))
        {
            await _runState.UpdateAsync(s => s with { OpenCommands = [.. s.OpenCommands.Where(c => c.Id != id)] }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Remote command {Id}: {Type} {Parameter}")]
    private partial void LogCommand(long id, CommandType type, string? parameter);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Remote command {Id} ({Type}) finished: succeeded {Succeeded}, {Message}")]
    private partial void LogCompleted(long id, CommandType type, bool succeeded, string message);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "The outcome of remote command {Id} is not wanted by the portal any more: {Reason}")]
    private partial void LogReportNotWanted(long id, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Restarting on the portal's command")]
    private partial void LogRestarting();
}
