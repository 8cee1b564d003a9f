using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace OneStopPi.Agent.Lan.Discovery;

/// <summary>A box that answered a probe (what <c>onestoppi discover --json</c> prints).</summary>
public sealed record DiscoveredAgent(
    string Hostname,
    string MdnsName,
    string Address,
    string? Mac,
    string Version,
    bool Enrolled,
    bool Assigned,
    int HttpPort,
    string? AgentId,
    string HardwareId,
    string RepliedFrom);

/// <summary>
/// Sends probes (broadcast on the local IPv4 networks, or to given addresses) from one socket and
/// gathers the replies carrying its nonce until the timeout.
/// </summary>
public sealed class DiscoveryClient
{
    /// <summary>The directed broadcast address of each up IPv4 interface (only <paramref name="interfaceName"/>'s when given).</summary>
    public static IReadOnlyList<(LanInterface Interface, IPEndPoint Target)> BroadcastTargets(string? interfaceName, int port) =>
        [.. LanInterface.Enumerate(includeLoopback: interfaceName is not null)
            .Where(i => interfaceName is null || string.Equals(i.Name, interfaceName, StringComparison.Ordinal))
            .Where(i => i.PrefixLength < 31)
            .Select(i => (i, new IPEndPoint(i.Broadcast, port)))];

    public async Task<IReadOnlyList<DiscoveredAgent>> ProbeAsync(IReadOnlyList<IPEndPoint> targets, IPAddress? bindAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        socket.Bind(new IPEndPoint(bindAddress ?? IPAddress.Any, 0));
        byte[] nonce = RandomNumberGenerator.GetBytes(DiscoveryProtocol.NonceLength);
        byte[] probe = new byte[DiscoveryProtocol.ProbeLength];
        DiscoveryProtocol.WriteProbe(probe, nonce);
        foreach (IPEndPoint target in targets)
        {
            await socket.SendToAsync(probe, SocketFlags.None, target, cancellationToken).ConfigureAwait(false);
        }

        var found = new List<DiscoveredAgent>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        byte[] buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break; // the timeout: done listening
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                continue; // ICMP port unreachable from an address with no agent
            }

            if (DiscoveryProtocol.TryReadReply(buffer.AsSpan(0, received.ReceivedBytes), out DiscoveryReply? reply)
                && reply!.Nonce.Span.SequenceEqual(nonce))
            {
                var agent = new DiscoveredAgent(reply.Hostname, reply.MdnsName, reply.Address.ToString(), reply.Mac, reply.Version, reply.Enrolled,
                    reply.Assigned, reply.HttpPort, reply.AgentId.Length == 0 ? null : reply.AgentId, reply.HardwareId, received.RemoteEndPoint.ToString()!);
                if (!found.Any(a => a.HardwareId == agent.HardwareId && a.Address == agent.Address))
                {
                    found.Add(agent);
                }
            }
        }

        return [.. found.OrderBy(a => IPAddress.Parse(a.Address).GetAddressBytes(), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))];
    }
}
