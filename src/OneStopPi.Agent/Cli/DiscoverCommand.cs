using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Cli;

/// <summary><c>onestoppi discover</c>: finds OneStopPi boxes on the local networks by the UDP discovery protocol.</summary>
internal static class DiscoverCommand
{
    public static Command Create()
    {
        var timeout = new Option<int>("--timeout") { Description = "how long to wait for answers, in milliseconds", DefaultValueFactory = _ => 2000 };
        var nic = new Option<string?>("--interface") { Description = "probe only this network interface (e.g. eth0)" };
        var to = new Option<string[]>("--to") { Description = "probe ADDRESS[:PORT] instead of broadcasting (repeatable)", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "print the boxes as JSON" };
        var command = new Command("discover", "find OneStopPi boxes on the local network (UDP 23999)") { timeout, nic, to, json };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            int milliseconds = parse.GetValue(timeout);
            if (milliseconds is < 1 or > 60_000)
            {
                throw new CliUsageException("--timeout must be 1 to 60000 milliseconds");
            }

            string? interfaceName = parse.GetValue(nic);
            string[] addresses = parse.GetValue(to) ?? [];
            IPAddress? bind = null;
            List<IPEndPoint> targets;
            if (addresses.Length > 0)
            {
                targets = [.. addresses.Select(ParseTarget)];
                if (interfaceName is not null)
                {
                    bind = InterfaceAddress(interfaceName);
                }
            }
            else
            {
                var broadcast = DiscoveryClient.BroadcastTargets(interfaceName, LanSettings.DefaultDiscoveryPort);
                if (broadcast.Count == 0)
                {
                    throw new CliUsageException(interfaceName is null ? "no IPv4 network to broadcast on" : $"no IPv4 address on interface '{interfaceName}'");
                }

                targets = [.. broadcast.Select(b => b.Target)];
                bind = interfaceName is null ? null : broadcast[0].Interface.Address;
            }

            IReadOnlyList<DiscoveredAgent> found = await new DiscoveryClient().ProbeAsync(targets, bind, TimeSpan.FromMilliseconds(milliseconds), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(found.ToArray(), AgentJsonContext.Default.DiscoveredAgentArray)).ConfigureAwait(false);
            }
            else
            {
                await Console.Out.WriteAsync(Table(found)).ConfigureAwait(false);
            }

            if (found.Count == 0)
            {
                await Console.Error.WriteLineAsync($"onestoppi: no box answered within {milliseconds} ms").ConfigureAwait(false);
                return CliErrors.DeviceError;
            }

            return 0;
        }));
        return command;
    }

    private static IPEndPoint ParseTarget(string text)
    {
        (string host, int port) = HostEndPoint.Split(text);
        if (!IPAddress.TryParse(host, out IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new CliUsageException($"--to '{text}' is not an IPv4 ADDRESS[:PORT]");
        }

        // HostEndPoint defaults to SNMP's port; discovery's is 23999.
        return new IPEndPoint(address, text.Contains(':', StringComparison.Ordinal) ? port : LanSettings.DefaultDiscoveryPort);
    }

    private static IPAddress InterfaceAddress(string name) =>
        LanInterface.Enumerate(includeLoopback: true).FirstOrDefault(i => i.Name == name)?.Address
        ?? throw new CliUsageException($"no IPv4 address on interface '{name}'");

    internal static string Table(IReadOnlyList<DiscoveredAgent> agents)
    {
        string[] header = ["HOST", "ADDRESS", "MAC", "VERSION", "ENROLLED", "HTTP", "AGENT ID"];
        List<string[]> rows = [header, .. agents.Select(a => new[]
        {
            a.MdnsName, a.Address, a.Mac ?? "-", a.Version, a.Enrolled ? (a.Assigned ? "yes" : "yes, unassigned") : "no",
            a.HttpPort.ToString(CultureInfo.InvariantCulture), a.AgentId ?? "-",
        })];
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length))];
        var text = new System.Text.StringBuilder();
        foreach (string[] row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }

        return text.ToString();
    }
}
