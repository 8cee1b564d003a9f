using System.Net;
using OneStopPi.Collection.Decoding;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The identify pass for one live address: one GET of the probe's OIDs with the site's credentials in order (the last
/// good one first), classified; or what the liveness probes alone say about it.
/// </summary>
internal sealed class DeviceIdentifier(
    IIdentityGetter getter, ILivenessWire wire, NeighbourSnapshot neighbours, NeighbourPacer? pacer, IReadOnlyList<LocalSubnet> subnets,
    CredentialPlan credentials, DiscoveryOptions options)
{
    /// <summary>The device at <paramref name="address"/>, or null when nothing answered there at all.</summary>
    public async Task<DiscoveredDevice?> IdentifyAsync(IPAddress address, CancellationToken cancellationToken)
    {
        bool onLink = LocalSubnet.Find(subnets, address) is not null;
        IReadOnlyList<Varbind>? answer = null;
        int? credentialIndex = null;
        string? refusal = null;
        string? problem = null;
        bool snmp = wire.SnmpAnswered(address); // e.g. an SNMPv3 engine's discovery report
        var endPoint = new IPEndPoint(address, options.Port);
        foreach (int index in credentials.Order(options.PreferredCredential?.Invoke(address)))
        {
            var target = new SnmpTarget(endPoint, credentials[index]) { Timeout = options.Timeout, Retries = options.Retries };
            try
            {
                answer = await getter.GetAsync(target, ProbeAnswers.Oids, cancellationToken).ConfigureAwait(false);
                credentialIndex = index;
                snmp = true;
                break;
            }
            catch (SnmpReportException e)
            {
                // RFC 3414 3.2: an SNMPv3 engine that refuses our user or engine ID is still a live SNMP host.
                snmp = true;
                refusal = $"SNMPv3 agent refused credential {index + 1}: {SnmpReportException.Describe(e.Kind)}";
            }
            catch (SnmpErrorStatusException e)
            {
                snmp = true;
                credentialIndex = index;
                problem = $"SNMP agent answered {e.Status}";
                break;
            }
            catch (SnmpTimeoutException) when (credentials[index] is UsmCredentials && getter.HasDiscoveredEngine(endPoint))
            {
                // The engine answered discovery, then ignored our user (agents may drop instead of reporting).
                snmp = true;
                refusal = $"SNMPv3 engine answered discovery but not credential {index + 1} (unknown user or wrong keys)";
            }
            catch (SnmpTimeoutException) when (snmp && credentials[index] is UsmCredentials)
            {
                refusal = $"SNMPv3 engine answered discovery but not credential {index + 1} (unknown user or wrong keys)";
            }
            catch (SnmpTimeoutException)
            {
                // Silence: try the next credential only when something else says a host is there (a wrong
                // v1/v2c community gets no answer at all), so a silent address costs one timeout, not one per credential.
                if (!snmp && !wire.EchoReplied(address) && !(onLink && neighbours.IsResolved(address)))
                {
                    break;
                }
            }
            catch (SnmpException e)
            {
                problem = e.Message;
                break;
            }
        }

        bool pinged = wire.EchoReplied(address);
        if (!snmp && !pinged)
        {
            return null;
        }

        if (onLink)
        {
            pacer?.MarkLive(address);
        }

        if (answer is null)
        {
            return new DiscoveredDevice
            {
                Ip = address.ToString(),
                Icmp = pinged,
                Snmp = snmp,
                Printer = false,
                Reason = refusal ?? problem ?? (wire.Icmp == IcmpMode.Unavailable ? "no SNMP answer" : "answers ping only, no SNMP answer with the site's credentials"),
                CredentialIndex = credentialIndex,
                Port = options.Port,
                V3Refusal = refusal,
            };
        }

        ProbeAnswers answers = ProbeAnswers.Read(answer);
        Classification verdict = PrinterClassifier.Classify(answers);
        return new DiscoveredDevice
        {
            Ip = address.ToString(),
            Icmp = pinged,
            Snmp = true,
            Printer = verdict.Printer,
            Reason = verdict.Reason,
            Vendor = verdict.Vendor,
            Model = answers.Model is null ? null : IdentityText.Model(answers.Model, verdict.Vendor is null ? [] : [verdict.Vendor]),
            Serial = answers.Serial,
            CredentialIndex = credentialIndex,
            Port = options.Port,
            SysObjectId = answers.SysObjectId?.ToString(),
            SysDescr = answers.SysDescr,
        };
    }

    /// <summary>A host that answered ping and was not (or could not be) identified over SNMP.</summary>
    public static DiscoveredDevice PingOnly(IPAddress address, int port, IcmpMode mode, bool portClosed) => new()
    {
        Ip = address.ToString(),
        Icmp = true,
        Snmp = false,
        Printer = false,
        Reason = portClosed ? "answers ping only; its SNMP port is closed (ICMP port unreachable)"
            : mode == IcmpMode.Unavailable ? "no SNMP answer" : "answers ping only, no SNMP answer with the site's credentials",
        Port = port,
    };

    /// <summary>A host that answered our ARP request and nothing else (a printer with SNMP off, a firewalled PC).</summary>
    public static DiscoveredDevice ArpOnly(IPAddress address, int port, bool portClosed) => new()
    {
        Ip = address.ToString(),
        Icmp = false,
        Snmp = false,
        Printer = false,
        Reason = portClosed ? "answers ARP only: no ping answer; its SNMP port is closed (ICMP port unreachable)"
            : "answers ARP only: no ping or SNMP answer (filtered, or SNMP switched off)",
        Port = port,
    };
}
