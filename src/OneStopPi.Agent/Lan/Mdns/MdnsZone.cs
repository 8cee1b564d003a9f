using System.Net;
using Makaretu.Dns;

namespace OneStopPi.Agent.Lan.Mdns;

/// <summary>
/// The records the box owns on the link (RFC 6763 §4, §6, §9, §12) and the answers to a question,
/// built with Makaretu.Dns's message model (wire form only: its text form of some types throws).
/// </summary>
public sealed class MdnsZone
{
    public const string ServiceType = "_onestop._tcp.local";
    public const string ServiceEnumeration = "_services._dns-sd._udp.local";

    /// <summary>RFC 6762 §10: 120 s for records with a host name in them, 75 min for the others.</summary>
    public static readonly TimeSpan HostTtl = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan OtherTtl = TimeSpan.FromMinutes(75);

    /// <summary>The top bit of rrclass: "cache flush" on a unique record (RFC 6762 §10.2), "QU" on a question (§5.4).</summary>
    private const ushort TopBit = 0x8000;

    private readonly DomainName _service = new(ServiceType);
    private readonly DomainName _enumeration = new(ServiceEnumeration);

    public MdnsZone(string instance, int port, IReadOnlyList<string> txt)
    {
        Instance = new DomainName(instance + "." + ServiceType);
        Host = new DomainName(instance + ".local");
        Port = port;
        Txt = txt;
    }

    public DomainName Instance { get; }

    public DomainName Host { get; }

    public int Port { get; }

    public IReadOnlyList<string> Txt { get; }

    /// <summary>Every record, for announcements (§8.3) and goodbyes (§10.1, TTL 0).</summary>
    public Message Announcement(IReadOnlyList<IPAddress> addresses, bool goodbye = false)
    {
        var message = new Message { QR = true, AA = true };
        message.Answers.AddRange([ServicePtr(), EnumerationPtr(), Srv(true), TxtRecord(true), .. Addresses(addresses, true)]);
        if (goodbye)
        {
            foreach (ResourceRecord record in message.Answers)
            {
                record.TTL = TimeSpan.Zero;
            }
        }

        return message;
    }

    /// <summary>§8.1 probe: ANY questions (QU) for the instance and host names, the records we intend to own as authority.</summary>
    public Message Probe(IReadOnlyList<IPAddress> addresses)
    {
        var message = new Message { QR = false };
        message.Questions.Add(new Question { Name = Instance, Type = DnsType.ANY, Class = (DnsClass)((ushort)DnsClass.IN | TopBit) });
        message.Questions.Add(new Question { Name = Host, Type = DnsType.ANY, Class = (DnsClass)((ushort)DnsClass.IN | TopBit) });
        message.AuthorityRecords.AddRange([Srv(false), TxtRecord(false), .. Addresses(addresses, false)]);
        return message;
    }

    /// <summary>
    /// The answers (and RFC 6763 §12 additional records) to the questions of <paramref name="query"/>
    /// we are authoritative for; null when none. <paramref name="legacy"/>: a one-shot query from a port
    /// other than 5353 (§6.7): same id, questions echoed, no cache-flush bit, TTL at most 10 s.
    /// </summary>
    public Message? Answer(Message query, IReadOnlyList<IPAddress> addresses, bool legacy)
    {
        var answers = new List<ResourceRecord>();
        var additional = new List<ResourceRecord>();
        bool flush = !legacy;
        foreach (Question question in query.Questions)
        {
            if (((ushort)question.Class & ~TopBit) is not ((ushort)DnsClass.IN or (ushort)DnsClass.ANY))
            {
                continue;
            }

            DnsType type = question.Type;
            bool any = type == DnsType.ANY;
            if (question.Name == _service && (any || type == DnsType.PTR))
            {
                answers.Add(ServicePtr());
                additional.AddRange([Srv(flush), TxtRecord(flush), .. Addresses(addresses, flush), InstanceNsec(flush), HostNsec(flush)]);
            }
            else if (question.Name == _enumeration && (any || type == DnsType.PTR))
            {
                answers.Add(EnumerationPtr());
            }
            else if (question.Name == Instance)
            {
                if (any || type == DnsType.SRV)
                {
                    answers.Add(Srv(flush));
                    additional.AddRange([.. Addresses(addresses, flush), HostNsec(flush)]);
                }

                if (any || type == DnsType.TXT)
                {
                    answers.Add(TxtRecord(flush));
                }

                if (!any && type is not (DnsType.SRV or DnsType.TXT))
                {
                    answers.Add(InstanceNsec(flush)); // §6.1: we own the name, and not that type
                }
            }
            else if (question.Name == Host)
            {
                if (any || type == DnsType.A)
                {
                    answers.AddRange(Addresses(addresses, flush));
                }

                if (!any && type != DnsType.A)
                {
                    answers.Add(HostNsec(flush)); // e.g. AAAA: IPv4 only
                }
                else
                {
                    additional.Add(HostNsec(flush));
                }
            }
        }

        // §7.1 known-answer suppression: leave out what the querier already holds with at least half the TTL.
        answers.RemoveAll(a => query.Answers.Any(k => SameRecord(k, a) && k.TTL.TotalSeconds >= a.TTL.TotalSeconds / 2));
        if (answers.Count == 0)
        {
            return null;
        }

        var response = new Message { QR = true, AA = true, Id = legacy ? query.Id : (ushort)0 };
        response.Answers.AddRange(answers);
        response.AdditionalRecords.AddRange(additional.Where(a => !answers.Any(b => SameRecord(a, b))).DistinctBy(Key));
        if (legacy)
        {
            response.Questions.AddRange(query.Questions);
            foreach (ResourceRecord record in response.Answers.Concat(response.AdditionalRecords))
            {
                record.TTL = TimeSpan.FromSeconds(Math.Min(10, record.TTL.TotalSeconds));
            }
        }

        return response;
    }

    private PTRRecord ServicePtr() => new() { Name = _service, DomainName = Instance, TTL = OtherTtl };

    private PTRRecord EnumerationPtr() => new() { Name = _enumeration, DomainName = _service, TTL = OtherTtl };

    private SRVRecord Srv(bool flush) =>
        new() { Name = Instance, Target = Host, Port = (ushort)Port, Priority = 0, Weight = 0, TTL = HostTtl, Class = Class(flush) };

    private TXTRecord TxtRecord(bool flush) => new() { Name = Instance, Strings = [.. Txt], TTL = OtherTtl, Class = Class(flush) };

    private IEnumerable<ResourceRecord> Addresses(IReadOnlyList<IPAddress> addresses, bool flush) =>
        addresses.Select(a => (ResourceRecord)new ARecord { Name = Host, Address = a, TTL = HostTtl, Class = Class(flush) });

    private NSECRecord HostNsec(bool flush) =>
        new() { Name = Host, NextOwnerName = Host, Types = [DnsType.A], TTL = HostTtl, Class = Class(flush) };

    private NSECRecord InstanceNsec(bool flush) =>
        new() { Name = Instance, NextOwnerName = Instance, Types = [DnsType.TXT, DnsType.SRV], TTL = HostTtl, Class = Class(flush) };

    private static DnsClass Class(bool flush) => (DnsClass)((ushort)DnsClass.IN | (flush ? TopBit : 0));

    private static string Key(ResourceRecord record) => $"{record.Name}|{record.Type}|{Convert.ToHexString(record.GetData())}";

    private static bool SameRecord(ResourceRecord a, ResourceRecord b) =>
        a.Type == b.Type && a.Name == b.Name && a.GetData().AsSpan().SequenceEqual(b.GetData());
}
