using System.Net;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection;

/// <summary>Reads one printer with one credential (<see cref="DeviceCollector"/>; a fake in tests).</summary>
public interface IDeviceCollector
{
    Task<DeviceReading> ReadAsync(SnmpTarget target, CancellationToken cancellationToken = default);
}

/// <summary>A printer's reading and the index of the credential that got it (null when no credential got an answer).</summary>
public sealed record PrinterRead(DeviceReading Reading, int? Credential);

/// <summary>
/// Reads a printer with the site's credentials as <see cref="CredentialPlan"/> orders them, stopping at the first
/// that answers; the requests of every attempt are counted in the reading. A silent device costs one timeout
/// per credential. The CLI's scan and the service's scan both read through this.
/// </summary>
public sealed class PrinterReader
{
    private readonly IDeviceCollector _collector;
    private readonly Func<IPEndPoint, SnmpCredentials, SnmpTarget> _target;

    /// <param name="target">How one attempt is shaped (timeout, retries, context) for an address and a credential.</param>
    public PrinterReader(IDeviceCollector collector, CredentialPlan credentials, Func<IPEndPoint, SnmpCredentials, SnmpTarget> target)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(target);
        _collector = collector;
        Credentials = credentials;
        _target = target;
    }

    public CredentialPlan Credentials { get; }

    public async Task<PrinterRead> ReadAsync(IPEndPoint endPoint, int? preferred, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        DeviceReading? last = null;
        int requests = 0;
        foreach (int index in Credentials.Order(preferred))
        {
            last = await _collector.ReadAsync(_target(endPoint, Credentials[index]), cancellationToken).ConfigureAwait(false);
            requests += last.Requests;
            if (last.Answered)
            {
                return new PrinterRead(last with { Requests = requests }, index);
            }
        }

        return new PrinterRead(last! with { Requests = requests }, null);
    }
}
