using System.Net;
using Makaretu.Dns;
using OneStopPi.Agent.Lan.Mdns;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// The names other responders answered for while the box probes (RFC 6762 §8.1, §9). The case these
/// guard: an answer read before the probe of its name began (queued since the socket was bound, or
/// between two attempts) was dropped when conflicts were a signal armed per probe.
/// </summary>
public sealed class MdnsClaimsTests
{
    private static readonly IPAddress[] Other = [IPAddress.Parse("198.18.0.9")];

    [Test]
    public void An_answer_read_before_the_probe_began_takes_the_name()
    {
        var claims = new MdnsClaims();
        claims.Record(FromWire(Zone("onestop-000a").Announcement(Other)));

        Assert.That(claims.IsTaken(Zone("onestop-000a")), Is.True);
        Assert.That(claims.IsTaken(Zone("onestop-000b")), Is.False, "another box's name is not ours");
    }

    [Test]
    public void An_answer_for_the_next_name_read_during_the_first_probe_still_counts()
    {
        var claims = new MdnsClaims();
        claims.Record(FromWire(Zone("onestop-000a").Announcement(Other)));
        claims.Record(FromWire(Zone("onestop-000a-2").Announcement(Other)));

        Assert.That(claims.IsTaken(Zone("onestop-000a-2")), Is.True);
        Assert.That(claims.IsTaken(Zone("onestop-000a-3")), Is.False);
    }

    [Test]
    public void A_host_name_alone_takes_the_name()
    {
        var claims = new MdnsClaims();
        var answer = new Message { QR = true, AA = true };
        answer.Answers.Add(new ARecord { Name = new DomainName("ONESTOP-000A.local"), Address = Other[0], TTL = TimeSpan.FromSeconds(120) });
        claims.Record(FromWire(answer));

        Assert.That(claims.IsTaken(Zone("onestop-000a")), Is.True, "names compare case-insensitively (RFC 6762 §16)");
    }

    [Test]
    public void A_goodbye_claims_nothing()
    {
        var claims = new MdnsClaims();
        claims.Record(FromWire(Zone("onestop-000a").Announcement(Other, goodbye: true)));

        Assert.That(claims.IsTaken(Zone("onestop-000a")), Is.False);
    }

    [Test]
    public void A_new_name_wakes_the_prober_and_a_repeated_one_does_not()
    {
        var claims = new MdnsClaims();
        claims.Record(FromWire(Zone("onestop-000a").Announcement(Other)));
        Task next = claims.NextRecordAsync();

        claims.Record(FromWire(Zone("onestop-000a").Announcement(Other)));
        Assert.That(next.IsCompleted, Is.False, "nothing new was recorded");

        claims.Record(FromWire(Zone("onestop-000c").Announcement(Other)));
        Assert.That(next.IsCompleted, Is.True);
    }

    [Test]
    public void After_probing_nothing_is_recorded()
    {
        var claims = new MdnsClaims();
        claims.Close();

        Assert.That(claims.Record(FromWire(Zone("onestop-000a").Announcement(Other))), Is.False, "the responder answers queries then");
        Assert.That(claims.IsOpen, Is.False);
        Assert.That(claims.IsTaken(Zone("onestop-000a")), Is.False);
    }

    private static MdnsZone Zone(string instance) => new(instance, 23998, ["txtvers=1"]);

    /// <summary>The responder reads answers off the wire: round-trip through the bytes as it does.</summary>
    private static Message FromWire(Message message)
    {
        byte[] bytes = message.ToByteArray();
        var read = new Message();
        read.Read(bytes, 0, bytes.Length);
        return read;
    }
}
