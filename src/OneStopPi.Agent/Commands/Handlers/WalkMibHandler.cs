using System.Globalization;
using System.Net;
using System.Text;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Text;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>
/// Command 6: walks one device's MIB (<see cref="WalkTarget"/>: "IP[:port] [start OID]") with the site's
/// credentials, tried in order until one answers, for at most 10 minutes; the walk in net-snmp's text form,
/// zipped, is the command's result. What was read before a failure is kept, with the failure as its last line.
/// </summary>
public sealed class WalkMibHandler(SnmpClient snmp, PortalLink link, FileOutbox outbox) : ICommandHandler
{
    private static readonly TimeSpan WalkTimeLimit = TimeSpan.FromMinutes(10);

    public CommandType Type => CommandType.WalkMib;

    public async Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        if (!WalkTarget.TryParse(command.Parameter, out WalkTarget? target, out string? error))
        {
            return CommandResult.Done(false, error);
        }

        if (!ObjectIdentifier.TryParse(target.StartOid, out ObjectIdentifier root))
        {
            return CommandResult.Done(false, $"walk-mib: '{target.StartOid}' is not an OID this agent can walk");
        }

        IReadOnlyList<SnmpCredentials> credentials = link.Plan?.Credentials is { Count: > 0 } c ? c : [new CommunityCredentials(SnmpVersion.V2c, "public")];
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
                await foreach (Varbind varbind in snmp.WalkAsync(new SnmpTarget(target.EndPoint, credential), root, null, limit.Token).ConfigureAwait(false))
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
            return CommandResult.Done(false, failure ?? "no object returned");
        }

        if (failure is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"# {failure}");
        }

        byte[] zip = InMemoryZip.Of([(FileName(target.EndPoint.Address), Encoding.UTF8.GetBytes(text.ToString()))]);
        OutboxItem? queued = await outbox.AppendAsync(OutboxItemKind.CommandResult, command.Id.ToString(CultureInfo.InvariantCulture), zip, cancellationToken).ConfigureAwait(false);
        return queued is null ? CommandResult.Done(false, $"the outbox is full: the walk of {count} object(s) could not be queued") : CommandResult.ResultQueued;
    }

    private static string FileName(IPAddress address) => $"walk-{address.ToString().Replace(':', '-')}.txt";
}
