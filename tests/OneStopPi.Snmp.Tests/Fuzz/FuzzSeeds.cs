using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Tests.Fuzz;

/// <summary>One SNMPv3 user with keys localized to one engine, for building and checking v3 seeds.</summary>
internal sealed record FuzzUser(byte[] EngineId, UsmCredentials Credentials, UsmLocalizedKeys? Keys);

/// <summary>
/// The v3 users of the captured packets (<see cref="RealPackets"/>) and of the seeds built here, with
/// their keys localized once (password-to-key hashes 1 MiB, too slow to repeat per input).
/// </summary>
internal static class FuzzCredentials
{
    /// <summary>net-snmp snmpd of the capture: <c>engineID bench-snmpd</c> (text form: 80001f8804 + ASCII).</summary>
    public static readonly byte[] SnmpdEngine = [0x80, 0x00, 0x1f, 0x88, 0x04, .. "bench-snmpd"u8];

    /// <summary>snmpsim of the capture (run_fleet.sh v3 default).</summary>
    public static readonly byte[] SnmpsimEngine = Convert.FromHexString("8000000001020399");

    /// <summary>The engine our own seeds claim to come from.</summary>
    public static readonly byte[] LocalEngine = Convert.FromHexString("80001f8880f00dfeedc0ffee");

    public static IReadOnlyList<FuzzUser> Users { get; } = Build();

    private static FuzzUser[] Build()
    {
        var list = new List<FuzzUser>
        {
            User(SnmpdEngine, "u_sha_aes", AuthProtocol.Sha1, "authpass-1234", PrivProtocol.Aes128, "privpass-5678"),
            User(SnmpdEngine, "u_md5_des", AuthProtocol.Md5, "authpass-1234", PrivProtocol.Des, "privpass-5678"),
            User(SnmpdEngine, "u_sha", AuthProtocol.Sha1, "authpass-1234", PrivProtocol.None, null),
            User(SnmpdEngine, "u_none", AuthProtocol.None, null, PrivProtocol.None, null),
            User(SnmpsimEngine, "fleetuser", AuthProtocol.Sha1, "authpass123", PrivProtocol.Aes128, "privpass123"),
            User(LocalEngine, "fz_md5_3des", AuthProtocol.Md5, "authpass-1234", PrivProtocol.TripleDes, "privpass-5678"),
            User(LocalEngine, "fz_sha224_aes192", AuthProtocol.Sha224, "authpass-1234", PrivProtocol.Aes192, "privpass-5678"),
            User(LocalEngine, "fz_sha256_aes256c", AuthProtocol.Sha256, "authpass-1234", PrivProtocol.Aes256Reeder, "privpass-5678"),
            User(LocalEngine, "fz_sha384_des", AuthProtocol.Sha384, "authpass-1234", PrivProtocol.Des, "privpass-5678"),
            User(LocalEngine, "fz_sha512_aes", AuthProtocol.Sha512, "authpass-1234", PrivProtocol.Aes128, "privpass-5678"),
            User(LocalEngine, "fz_sha512", AuthProtocol.Sha512, "authpass-1234", PrivProtocol.None, null),
        };
        return [.. list];
    }

    private static FuzzUser User(byte[] engineId, string name, AuthProtocol auth, string? authPass, PrivProtocol priv, string? privPass)
    {
        var credentials = new UsmCredentials(name, auth, authPass, priv, privPass);
        UsmLocalizedKeys? keys = auth == AuthProtocol.None
            ? null
            : new UsmLocalizedKeys(UsmKeys.LocalizedAuthKey(auth, authPass!, engineId),
                priv == PrivProtocol.None ? null : UsmKeys.LocalizedPrivKey(auth, priv, privPass!, engineId));
        return new FuzzUser(engineId, credentials, keys);
    }
}

/// <summary>A seed: a valid encoding and what it is.</summary>
internal sealed record FuzzSeed(string Name, FuzzSeedKind Kind, byte[] Bytes);

internal enum FuzzSeedKind
{
    /// <summary>A whole datagram (v1, v2c or v3).</summary>
    Datagram,

    /// <summary>A plaintext ScopedPDU SEQUENCE (what v3 privacy encrypts).</summary>
    ScopedPdu,
}

/// <summary>Seed inputs: real captured packets plus packets built by the library's encoders with every value type.</summary>
internal static class FuzzSeeds
{
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";

    public static IReadOnlyList<FuzzSeed> All { get; } = Build();

    /// <summary>snmprec lines (valid and tricky) to mutate for <see cref="Text.SnmprecFormat.TryParseRecord"/>.</summary>
    public static IReadOnlyList<string> SnmprecLines { get; } =
    [
        "1.3.6.1.2.1.1.1.0|4|HP LaserJet M130nw",
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1",
        "1.3.6.1.2.1.1.3.0|67|123456789",
        "1.3.6.1.2.1.2.2.1.6.2|4x|3c2af4a1b2c3",
        "1.3.6.1.2.1.2.2.1.10.1|65|4294967295",
        "1.3.6.1.2.1.2.2.1.5.1|66|100000000",
        "1.3.6.1.2.1.4.20.1.1.10.0.0.5|64|10.0.0.5",
        "1.3.6.1.2.1.4.20.1.1.10.0.0.6|64x|0a000006",
        "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615",
        "1.3.6.1.2.1.43.10.2.1.4.1.1|65|123456",
        "1.3.6.1.2.1.43.11.1.1.9.1.1|2|-3",
        "1.3.6.1.2.1.43.11.1.1.8.1.1|2|-2147483648",
        "1.3.6.1.2.1.25.3.2.1.3.1|4|",
        "1.3.6.1.4.1.99.1|5|",
        "1.3.6.1.4.1.99.2|68x|9f780441200000",
        "1.3.6.1.4.1.99.3|128|",
        "1.3.6.1.4.1.99.4|129|",
        "1.3.6.1.4.1.99.5|130|",
        "1.3.6.1.4.1.99.6|4:hexvalue|41424344",
        "1.3.6.1.4.1.99.7|4e|plain text",
        "  1.3.6.1.4.1.99.8|2|42  ",
        "# comment|4|x",
        ".1.3.6.1.4.1.99.9|4|pipe|inside",
    ];

    private static FuzzSeed[] Build()
    {
        var seeds = new List<FuzzSeed>();
        foreach ((string source, string hex) in RealPackets.All)
        {
            seeds.Add(new FuzzSeed("real " + source, FuzzSeedKind.Datagram, Convert.FromHexString(hex)));
        }

        Varbind[] all = AllValueTypes();
        Pdu[] pdus =
        [
            Pdu.GetRequest(1, [SysDescr, "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.43.10.2.1.4.1.1"]),
            Pdu.GetNextRequest(0x7FFFFFFF, ["1.3.6.1.2.1.2.2.1"]),
            Pdu.GetBulkRequest(-5, 1, 25, ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.43.11.1.1"]),
            Pdu.Response(12345, SnmpErrorStatus.NoError, 0, all),
            Pdu.Response(int.MinValue, SnmpErrorStatus.NoSuchName, 2, all[..3]),
            Pdu.Response(7, SnmpErrorStatus.TooBig, 0, []),
            Pdu.Report(99, [new Varbind("1.3.6.1.6.3.15.1.1.4.0", SnmpValue.Counter32(3))]),
        ];

        foreach (Pdu pdu in pdus)
        {
            foreach (SnmpVersion version in new[] { SnmpVersion.V1, SnmpVersion.V2c })
            {
                if (version == SnmpVersion.V1 && pdu.Type is PduType.GetBulkRequest or PduType.Report)
                {
                    continue;
                }

                seeds.Add(new FuzzSeed($"ours {version} {pdu.Type}", FuzzSeedKind.Datagram, new CommunityMessage(version, "public"u8.ToArray(), pdu).Encode()));
            }

            var scoped = new ScopedPdu(FuzzCredentials.LocalEngine, "printer"u8.ToArray(), pdu);
            seeds.Add(new FuzzSeed($"ours scopedPDU {pdu.Type}", FuzzSeedKind.ScopedPdu, scoped.Encode()));
        }

        seeds.Add(new FuzzSeed("ours v3 discovery", FuzzSeedKind.Datagram, UsmMessageProcessor.EncodeDiscovery(424242, 65507)));
        var privacy = new UsmPrivacy(0x0102030405060708);
        foreach (FuzzUser user in FuzzCredentials.Users)
        {
            var engine = new RemoteEngine(user.EngineId, 3, 1234, TimeProvider.System);
            var processor = new UsmMessageProcessor(privacy);
            seeds.Add(new FuzzSeed($"ours v3 {user.Credentials.UserName} get", FuzzSeedKind.Datagram,
                processor.EncodeRequest(1000, 65507, user.Credentials, user.Keys, engine, pdus[0])));
            seeds.Add(new FuzzSeed($"ours v3 {user.Credentials.UserName} response", FuzzSeedKind.Datagram,
                processor.EncodeRequest(1001, 1472, user.Credentials, user.Keys, engine, pdus[3])));
            seeds.Add(new FuzzSeed($"ours v3 {user.Credentials.UserName} report", FuzzSeedKind.Datagram,
                processor.EncodeRequest(1002, 484, user.Credentials, user.Keys, engine, pdus[6])));
        }

        return [.. seeds];
    }

    /// <summary>Every value type, with edge values and lengths that need the long length forms.</summary>
    public static Varbind[] AllValueTypes()
    {
        uint[] longOid = new uint[ObjectIdentifier.MaxArcs];
        longOid[0] = 1;
        longOid[1] = 3;
        for (int i = 2; i < longOid.Length; i++)
        {
            longOid[i] = (uint)(i * 2654435761u);
        }

        byte[] binary = new byte[300];
        for (int i = 0; i < binary.Length; i++)
        {
            binary[i] = (byte)(i * 7);
        }

        return
        [
            new("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("HP LaserJet M130nw \"quoted\" \\ back")),
            new("1.3.6.1.2.1.1.2.0", SnmpValue.ObjectId("1.3.6.1.4.1.11.2.3.9.1")),
            new("1.3.6.1.2.1.1.3.0", SnmpValue.TimeTicks(uint.MaxValue)),
            new("1.3.6.1.2.1.1.4.0", SnmpValue.OctetString("")),
            new("1.3.6.1.2.1.1.5.0", SnmpValue.OctetString(binary.AsSpan(0, 200))),
            new("1.3.6.1.2.1.1.6.0", SnmpValue.OctetString(binary)),
            new("1.3.6.1.2.1.2.1.0", SnmpValue.Integer32(int.MinValue)),
            new("1.3.6.1.2.1.2.2.1.1.1", SnmpValue.Integer32(int.MaxValue)),
            new("1.3.6.1.2.1.2.2.1.2.1", SnmpValue.Integer32(-1)),
            new("1.3.6.1.2.1.2.2.1.3.1", SnmpValue.Integer32FromWire(uint.MaxValue)),
            new("1.3.6.1.2.1.2.2.1.5.1", SnmpValue.Gauge32(0x80000000)),
            new("1.3.6.1.2.1.2.2.1.10.1", SnmpValue.Counter32(uint.MaxValue)),
            new("1.3.6.1.2.1.31.1.1.1.6.1", SnmpValue.Counter64(ulong.MaxValue)),
            new("1.3.6.1.2.1.31.1.1.1.10.1", SnmpValue.Counter64(0)),
            new("1.3.6.1.2.1.4.20.1.1.10.0.0.5", SnmpValue.IpAddress([10, 0, 0, 5])),
            new("1.3.6.1.4.1.99.1", SnmpValue.Opaque([0x9f, 0x78, 0x04, 0x41, 0x20, 0x00, 0x00])),
            new("1.3.6.1.4.1.99.2", SnmpValue.Null),
            new("1.3.6.1.4.1.99.3", SnmpValue.NoSuchObject),
            new("1.3.6.1.4.1.99.4", SnmpValue.NoSuchInstance),
            new("1.3.6.1.4.1.99.5", SnmpValue.EndOfMibView),
            new(new ObjectIdentifier(longOid), SnmpValue.ObjectId(new ObjectIdentifier(longOid))),
            new("2.999.4294967295", SnmpValue.ObjectId("0.0")),
            new("1.3.6.1.4.1.99.6", SnmpValue.OctetString(Encoding.UTF8.GetBytes("Grüße, 東京"))),
        ];
    }
}
