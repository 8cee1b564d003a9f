using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Upload;

/// <summary>
/// Drains the outbox oldest first. A batch leaves the outbox only after the portal acknowledged it;
/// the batch ID makes a repeated upload (after a crash between upload and removal) harmless.
/// Failures back off exponentially with jitter; nothing is ever dropped here. A batch that can
/// never be sent as it is (a file it may not read, a command result without a command number) is
/// quarantined with an error and the queue moves on: one bad file never stops the uploads.
/// </summary>
public sealed partial class Uploader : SupervisedStage
{
    private readonly FileOutbox _outbox;
    private readonly PortalLink _link;
    private readonly PortalClient _client;
    private readonly TimeProvider _time;
    private readonly RetryBackoff _backoff;
    private readonly ILogger<Uploader> _logger;
    private readonly TimeSpan _idleWait;

    /// <summary>One upload is bounded by the portal client's timeout (2 min); more than this without a beat is a hang.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    public Uploader(FileOutbox outbox, PortalLink link, PortalClient client, TimeProvider time, Random random, ILogger<Uploader> logger,
        AgentStages stages, AgentTimings? timings = null)
        : base(stages.Stage(AgentStages.Uploader, Period), time, logger)
    {
        timings ??= new AgentTimings();
        _idleWait = timings.UploadIdleWait;
        _outbox = outbox;
        _link = link;
        _client = client;
        _time = time;
        _logger = logger;
        _backoff = new RetryBackoff(timings.UploadRetryFloor, timings.UploadRetryCap, random);
    }

    public DateTimeOffset? LastUpload { get; private set; }

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Liveness.Beat();
            OutboxItem? item = _outbox.PeekOldest();
            if (item is null || _link.Session is null)
            {
                Liveness.Expect(_idleWait);
                await _outbox.WaitForAppendAsync(_idleWait, stoppingToken).ConfigureAwait(false);
                continue;
            }

            TimeSpan? wait = await TryUploadAsync(_link.Session, item, stoppingToken).ConfigureAwait(false);
            if (wait is { } delay)
            {
                Liveness.Expect(delay);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Uploads one batch; returns how long to wait before trying again, or null to go on.</summary>
    internal async Task<TimeSpan?> TryUploadAsync(PortalSession session, OutboxItem item, CancellationToken cancellationToken)
    {
        long commandId = 0;
        if (item.Kind == OutboxItemKind.CommandResult && !OutboxItem.TryParseCommandId(item.Key, out commandId))
        {
            _outbox.Quarantine(item, $"'{item.Key}' is not a command number");
            return null;
        }

        try
        {
            await using (FileStream zip = File.OpenRead(item.Path))
            {
                if (item.Kind == OutboxItemKind.CommandResult)
                {
                    // Storing the result completes the command on the portal (docs/portal-api.md, "Commands"):
                    // a /complete after it would be refused as "already completed".
                    await _client.UploadCommandResultAsync(session, commandId, zip, cancellationToken).ConfigureAwait(false);
                    LogResultUploaded(commandId, item.Size);
                }
                else
                {
                    BatchAccepted accepted = await _client.UploadBatchAsync(session, item.Key, zip, cancellationToken).ConfigureAwait(false);
                    LogUploaded(item.Kind, item.Key, accepted.Readings, accepted.Duplicate);
                }
            }

            _outbox.Remove(item);
            _link.RecordContact();
            LastUpload = _time.GetUtcNow();
            _backoff.Succeeded();
            return null;
        }
        catch (PortalUnavailableException e)
        {
            TimeSpan delay = _backoff.Failed();
            LogRetry(item.Key, e.Message, delay, _backoff.ConsecutiveFailures);
            return delay;
        }
        catch (PortalRejectedException e) when (item.Kind == OutboxItemKind.CommandResult && e.Status == HttpStatusCode.Conflict)
        {
            // The command is already finished on the portal: the result went up before a crash
            // kept it in the outbox, or the command was failed meanwhile. Sending it again cannot help.
            _outbox.Remove(item);
            LogResultNotWanted(item.Key, e.Message);
            return null;
        }
        catch (PortalRejectedException e) when (e.IsAuthentication)
        {
            await _link.ForgetEnrolmentAsync(e.Message).ConfigureAwait(false);
            return _backoff.Failed();
        }
        catch (PortalRejectedException e)
        {
            // The portal will never take this batch as it is: keep it aside for a technician, out of the queue.
            string rejected = Path.Combine(Path.GetDirectoryName(item.Path)!, "rejected");
            Directory.CreateDirectory(rejected);
            File.Copy(item.Path, Path.Combine(rejected, Path.GetFileName(item.Path)), overwrite: true);
            _outbox.Remove(item);
            LogRejected(item.Key, e.Message, rejected);
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            // Not ours to read (a file put there by hand as another user): waiting will not change that.
            _outbox.Quarantine(item, e.Message);
            return null;
        }
        catch (IOException e)
        {
            TimeSpan delay = _backoff.Failed();
            LogRetry(item.Key, e.Message, delay, _backoff.ConsecutiveFailures);
            return delay;
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogUploaded(OutboxItemKind kind, string batchId, int readings, bool duplicate)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(4001, nameof(LogUploaded)),
                "Uploaded {Kind} batch {BatchId}: {Readings} reading(s), already stored before: {Duplicate}", kind, batchId, readings, duplicate);
        }
    }

    private void LogRetry(string batchId, string reason, TimeSpan delay, int failures)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(4002, nameof(LogRetry)),
                "Upload of {BatchId} failed ({Reason}); retrying in {Delay} (failure {Failures})", batchId, reason, delay, failures);
        }
    }

    private void LogResultUploaded(long commandId, long bytes)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(4004, nameof(LogResultUploaded)),
                "Uploaded the result of remote command {CommandId} ({Bytes} bytes)", commandId, bytes);
        }
    }

    private void LogResultNotWanted(string commandId, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(4005, nameof(LogResultNotWanted)),
                "Remote command {CommandId} is already finished on the portal ({Reason}); its result is not sent again", commandId, reason);
        }
    }

    private void LogRejected(string batchId, string reason, string directory)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(4003, nameof(LogRejected)),
                "The portal refused batch {BatchId} for good ({Reason}); kept in {Directory}", batchId, reason, directory);
        }
    }
}
