using System.Net;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The ARP half of the send pass: one sweep of our own ARP requests per directly connected Ethernet subnet (nothing
/// for the kernel to resolve and time out), each host that answers probed at once through the <see cref="SendPass"/>.
/// </summary>
internal sealed partial class ArpSweeps(SendPass send, ProbeLog probes, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    /// <summary>More addresses than this answering ARP from one MAC is proxy ARP, not hosts.</summary>
    internal const int ProxyArpThreshold = 16;

    private readonly ILogger _logger = logger;
    private readonly List<Sweep> _sweeps = [];

    public long RequestsSent => _sweeps.Sum(s => s.Sweeper.RequestsSent);

    public int Replies => _sweeps.Sum(s => s.Sweeper.Replies);

    /// <summary>What still runs, for the scanner to stop and wait for on the way out.</summary>
    public IEnumerable<Task> Tasks => _sweeps.SelectMany(s => new[] { s.Running, s.Following });

    public bool AllStopped => _sweeps.All(s => s.Running.IsCompleted && s.Following.IsCompleted);

    /// <summary>
    /// Starts the sweep of each subnet the plan gives; the targets of a subnet whose packet socket this process may
    /// not open go to the plan's kernel path instead.
    /// </summary>
    public void Start(SweepPlan plan, ArpSweepOptions options, DiscoveryProgress progress, CancellationToken cancellationToken)
    {
        foreach ((LocalSubnet subnet, List<IPAddress> targets) in plan.ArpTargets)
        {
            if (ArpSweeper.TryOpen(subnet.ArpLink!, time, _logger) is not { } sweeper)
            {
                plan.ThroughKernel.AddRange(targets.Select(a => (a, true)));
                continue;
            }

            Task<bool> running = sweeper.SweepAsync(targets, options, _ => progress.Sent(), cancellationToken);
            Task following = Task.Run(async () =>
            {
                await foreach (ArpAnswer answer in sweeper.Answers.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await send.ProbeAsync(answer.Address, onLink: true, afterArp: true, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken);
            _sweeps.Add(new Sweep(sweeper, targets, running, following));
        }
    }

    /// <summary>Waits for every sweep to end; probes what answered late, and what a refused sweep left unasked.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        foreach ((ArpSweeper sweeper, IReadOnlyList<IPAddress> targets, Task<bool> running, Task following) in _sweeps)
        {
            bool complete = await running.ConfigureAwait(false);
            await following.ConfigureAwait(false);

            // An answer the sweeper read only after its answers were closed (this process was not scheduled in
            // time) is a live host all the same: probed now rather than listed as answering ARP only.
            foreach (IPAddress address in sweeper.AnsweredMacs.Keys.Where(a => !probes.Contains(a)).ToList())
            {
                await send.ProbeAsync(address, onLink: true, afterArp: true, cancellationToken).ConfigureAwait(false);
            }

            if (!complete)
            {
                // The interface refused our frames part-way: what did not answer goes through the kernel.
                foreach (IPAddress address in targets.Where(a => !sweeper.HasAnswered(a)))
                {
                    await send.ProbeAsync(address, onLink: true, afterArp: false, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Hosts that answered ARP and nothing else are there all the same (a printer with SNMP off, a firewalled PC),
    /// unless their MAC answers for many addresses: a router doing proxy ARP, not a host.
    /// </summary>
    public IEnumerable<DiscoveredDevice> ArpOnly(Func<IPAddress, bool> heardOtherwise, Func<IPAddress, bool> portClosed, int port)
    {
        var devices = new List<DiscoveredDevice>();
        foreach (Sweep sweep in _sweeps)
        {
            HashSet<string> proxies = [.. sweep.Sweeper.AnsweredMacs.GroupBy(a => a.Value).Where(g => g.Count() > ProxyArpThreshold).Select(g => g.Key)];
            foreach ((IPAddress address, string mac) in sweep.Sweeper.AnsweredMacs)
            {
                if (!heardOtherwise(address) && !proxies.Contains(mac))
                {
                    devices.Add(DeviceIdentifier.ArpOnly(address, port, portClosed(address)));
                }
            }

            if (proxies.Count > 0)
            {
                LogProxyArp(sweep.Sweeper.Device, string.Join(", ", proxies), ProxyArpThreshold);
            }
        }

        return devices;
    }

    /// <summary>Adds the MAC each swept host answered from: its own answer, fresher than the neighbour table.</summary>
    public void AddMacs(Dictionary<IPAddress, string> macs)
    {
        foreach (Sweep sweep in _sweeps)
        {
            foreach (IPAddress address in sweep.Targets)
            {
                if (sweep.Sweeper.MacOf(address) is { } mac)
                {
                    macs[address] = mac;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Sweep sweep in _sweeps)
        {
            await sweep.Sweeper.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogProxyArp(string device, string macs, int threshold)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(4124, nameof(LogProxyArp)),
                "Discovery: on {Device}, {Macs} answered ARP for more than {Threshold} addresses each (proxy ARP?): addresses that answered nothing else there are not listed",
                device, macs, threshold);
        }
    }

    private sealed record Sweep(ArpSweeper Sweeper, IReadOnlyList<IPAddress> Targets, Task<bool> Running, Task Following);
}
