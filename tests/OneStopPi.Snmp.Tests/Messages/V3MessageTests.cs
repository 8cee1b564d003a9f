using System.Formats.Asn1;
using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;
using static OneStopPi.Snmp.Tests.Messages.CapturedPackets;

namespace OneStopPi.Snmp.Tests.Messages;

/// <summary>SNMPv3 messages (RFC 3412 6) with USM parameters (RFC 3414 2.4), against net-snmp's packets.</summary>
[TestFixture]
public sealed class V3MessageTests
{
    private const string AuthPass = "authpass-1234";
    private const string PrivPass = "privpass-5678";
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    private static readonly byte[] EngineId = Bytes(SnmpdEngineId);
    private static readonly UsmKeyCache Keys = new();
    private static readonly UsmCredentials ShaAes = new("u_sha_aes128", AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass);

    [Test]
    public void Decodes_net_snmp_engine_discovery()
    {
        V3Message message = V3Message.Decode(Bytes(V3Discovery));
        Assert.Multiple(() =>
        {
            Assert.That(message.MessageId, Is.EqualTo(0x0BC1C494));
            Assert.That(message.MaxSize, Is.EqualTo(65507));
            Assert.That(message.Flags, Is.EqualTo(V3MessageFlags.Reportable));
            Assert.That(message.Usm.EngineId.IsEmpty && message.Usm.UserName.IsEmpty, Is.True);
            Assert.That(message.ScopedPdu!.Pdu.Type, Is.EqualTo(PduType.GetRequest));
            Assert.That(message.ScopedPdu.Pdu.Varbinds, Is.Empty);
        });
    }

    [Test]
    public void Our_engine_discovery_is_net_snmps_but_for_the_request_id()
    {
        // net-snmp uses a request-id of its own (0x699380E4); ours repeats the msgID.
        string expected = V3Discovery.Replace("0204699380E4", "02040BC1C494", StringComparison.Ordinal);
        Assert.That(Convert.ToHexString(UsmMessageProcessor.EncodeDiscovery(0x0BC1C494, 65507)), Is.EqualTo(expected));
    }

    [Test]
    public void Decodes_snmpd_discovery_report()
    {
        V3Message message = V3Message.Decode(Bytes(V3DiscoveryReport));
        Varbind report = message.ScopedPdu!.Pdu.Varbinds.Single();
        Assert.Multiple(() =>
        {
            Assert.That(message.Flags, Is.EqualTo(V3MessageFlags.None));
            Assert.That(message.Usm.EngineId.ToArray(), Is.EqualTo(EngineId));
            Assert.That(message.Usm.EngineBoots, Is.EqualTo(1));
            Assert.That(message.Usm.EngineTime, Is.EqualTo(12));
            Assert.That(message.ScopedPdu.Pdu.Type, Is.EqualTo(PduType.Report));
            Assert.That(message.ScopedPdu.ContextEngineId.ToArray(), Is.EqualTo(EngineId));
            Assert.That(report, Is.EqualTo(new Varbind("1.3.6.1.6.3.15.1.1.4.0", SnmpValue.Counter32(2))));
            Assert.That(SnmpReportOids.Classify(report.Oid), Is.EqualTo(SnmpReportKind.UnknownEngineId));
        });
    }

    [Test]
    public void Authenticates_and_decrypts_snmpds_authPriv_response()
    {
        byte[] datagram = Bytes(V3AuthPrivResponse);
        V3Message message = V3Message.Decode(datagram);
        UsmIncomingStatus status = Process(datagram, message, ShaAes, out ScopedPdu? scoped, out string? rejection);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(UsmIncomingStatus.Accepted), rejection);
            Assert.That(message.MessageId, Is.EqualTo(0x0BC1C493));
            Assert.That(message.Flags, Is.EqualTo(V3MessageFlags.Authenticated | V3MessageFlags.Private));
            Assert.That(message.ScopedPdu, Is.Null, "the codec leaves the PDU encrypted");
            Assert.That(scoped!.ContextEngineId.ToArray(), Is.EqualTo(EngineId));
            Assert.That(scoped.ContextName.IsEmpty, Is.True);
            Assert.That(scoped.Pdu.Type, Is.EqualTo(PduType.Response));
            Assert.That(scoped.Pdu.Varbinds.Single(), Is.EqualTo(new Varbind(SysDescr, SnmpValue.OctetString(SnmpdSysDescr))));
        });
    }

    [Test]
    public void Authenticates_and_decrypts_net_snmps_authPriv_request()
    {
        byte[] datagram = Bytes(V3AuthPrivRequest);
        V3Message message = V3Message.Decode(datagram);
        UsmIncomingStatus status = Process(datagram, message, ShaAes, out ScopedPdu? scoped, out string? rejection);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(UsmIncomingStatus.Accepted), rejection);
            Assert.That(message.Flags, Is.EqualTo(V3MessageFlags.Authenticated | V3MessageFlags.Private | V3MessageFlags.Reportable));
            Assert.That(Encoding.ASCII.GetString(message.Usm.UserName.Span), Is.EqualTo("u_sha_aes128"));
            Assert.That(scoped!.Pdu.Type, Is.EqualTo(PduType.GetRequest));
            Assert.That(scoped.Pdu.Varbinds.Single(), Is.EqualTo(Varbind.Request(SysDescr)));
        });
    }

    [Test]
    public void A_flipped_bit_anywhere_in_the_authenticated_response_is_rejected_never_thrown()
    {
        byte[] original = Bytes(V3AuthPrivResponse);
        int accepted = 0;
        for (int i = 0; i < original.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] datagram = (byte[])original.Clone();
                datagram[i] ^= (byte)(1 << bit);
                V3Message message;
                try
                {
                    message = V3Message.Decode(datagram);
                }
                catch (SnmpDecodeException)
                {
                    continue;
                }

                // The MAC covers every octet of the message, so no flip may pass.
                if (Process(datagram, message, ShaAes, out _, out _) == UsmIncomingStatus.Accepted)
                {
                    accepted++;
                }
            }
        }

        Assert.That(accepted, Is.Zero);
    }

    [TestCase("authpass-WRONG", PrivPass, TestName = "wrong authentication password")]
    [TestCase(AuthPass, "privpass-WRONG", TestName = "wrong privacy password")]
    public void Wrong_keys_reject_the_response(string authPass, string privPass)
    {
        byte[] datagram = Bytes(V3AuthPrivResponse);
        var credentials = new UsmCredentials("u_sha_aes128", AuthProtocol.Sha1, authPass, PrivProtocol.Aes128, privPass);
        Assert.That(Process(datagram, V3Message.Decode(datagram), credentials, out _, out _), Is.EqualTo(UsmIncomingStatus.Rejected));
    }

    [Test]
    public void A_response_from_another_engine_is_rejected()
    {
        byte[] datagram = Bytes(V3AuthPrivResponse);
        var keys = new UsmKeyCache().Get(ShaAes, EngineId);
        var otherEngine = new RemoteEngine(Bytes("80001F888053494D0000"), 1, 12, TimeProvider.System);
        Assert.That(UsmMessageProcessor.Process(datagram, V3Message.Decode(datagram), ShaAes, keys, otherEngine, out _, out _),
            Is.EqualTo(UsmIncomingStatus.Rejected));
    }

    public static IEnumerable<TestCaseData> EverySecurityCombination()
    {
        yield return new TestCaseData(AuthProtocol.None, PrivProtocol.None);
        foreach (AuthProtocol auth in Enum.GetValues<AuthProtocol>().Where(a => a != AuthProtocol.None))
        {
            foreach (PrivProtocol priv in Enum.GetValues<PrivProtocol>())
            {
                yield return new TestCaseData(auth, priv);
            }
        }
    }

    [TestCaseSource(nameof(EverySecurityCombination))]
    public void Request_round_trips_through_encoding_and_processing(AuthProtocol auth, PrivProtocol priv)
    {
        var credentials = new UsmCredentials("u_rt", auth, auth == AuthProtocol.None ? null : AuthPass, priv, priv == PrivProtocol.None ? null : PrivPass, "printer");
        var engine = new RemoteEngine(EngineId, 7, 12345, TimeProvider.System);
        UsmLocalizedKeys? keys = new UsmKeyCache().Get(credentials, EngineId);
        Pdu pdu = Pdu.GetBulkRequest(4242, 1, 25, [SysDescr, "1.3.6.1.2.1.43.11.1.1.9"]);

        byte[] datagram = new UsmMessageProcessor(new UsmPrivacy(99)).EncodeRequest(4242, 1472, credentials, keys, engine, pdu);
        V3Message message = V3Message.Decode(datagram);
        UsmIncomingStatus status = UsmMessageProcessor.Process(datagram, message, credentials, keys, engine, out ScopedPdu? scoped, out string? rejection);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(UsmIncomingStatus.Accepted), rejection);
            Assert.That(message.MessageId, Is.EqualTo(4242));
            Assert.That(message.MaxSize, Is.EqualTo(1472));
            Assert.That(message.Usm.EngineBoots, Is.EqualTo(7));
            Assert.That(message.Usm.EngineTime, Is.InRange(12345u, 12347u));
            Assert.That((message.Flags & V3MessageFlags.Authenticated) != 0, Is.EqualTo(auth != AuthProtocol.None));
            Assert.That((message.Flags & V3MessageFlags.Private) != 0, Is.EqualTo(priv != PrivProtocol.None));
            Assert.That(message.Usm.AuthenticationParameters.Length, Is.EqualTo(auth == AuthProtocol.None ? 0 : UsmAuthentication.MacLength(auth)));
            Assert.That(message.Usm.PrivacyParameters.Length, Is.EqualTo(priv == PrivProtocol.None ? 0 : UsmPrivacy.PrivParametersLength));
            Assert.That(Encoding.ASCII.GetString(scoped!.ContextName.Span), Is.EqualTo("printer"));
            Assert.That(scoped.ContextEngineId.ToArray(), Is.EqualTo(EngineId));
            Assert.That(scoped.Pdu.Type, Is.EqualTo(PduType.GetBulkRequest));
            Assert.That(scoped.Pdu.NonRepeaters, Is.EqualTo(1));
            Assert.That(scoped.Pdu.MaxRepetitions, Is.EqualTo(25));
            Assert.That(scoped.Pdu.Varbinds, Is.EqualTo(pdu.Varbinds));
            bool plaintextVisible = datagram.AsSpan().IndexOf("printer"u8) >= 0;
            Assert.That(plaintextVisible, Is.EqualTo(priv == PrivProtocol.None), "the context name is inside the (encrypted) scoped PDU");
        });
    }

    [Test]
    public void Plaintext_message_round_trips_through_the_codec()
    {
        var usm = new UsmSecurityParameters(EngineId, int.MaxValue, int.MaxValue, "u_noauth"u8.ToArray(), Array.Empty<byte>(), Array.Empty<byte>());
        var scoped = new ScopedPdu(EngineId, "printer"u8.ToArray(), Pdu.Response(5, SnmpErrorStatus.NoError, 0, [new Varbind(SysDescr, SnmpValue.OctetString("x"))]));
        byte[] datagram = V3Message.Encode(-5, 484, V3MessageFlags.Reportable, usm, scoped.Encode(), encrypted: false, out int authOffset);
        V3Message message = V3Message.Decode(datagram);
        Assert.Multiple(() =>
        {
            Assert.That(message.MessageId, Is.EqualTo(-5));
            Assert.That(message.MaxSize, Is.EqualTo(484));
            Assert.That(message.Usm.EngineBoots, Is.EqualTo(int.MaxValue));
            Assert.That(message.Usm.EngineTime, Is.EqualTo(int.MaxValue));
            Assert.That(message.AuthenticationParametersOffset, Is.EqualTo(authOffset));
            Assert.That(message.ScopedPdu!.Pdu.Varbinds, Is.EqualTo(scoped.Pdu.Varbinds));
            Assert.That(message.ScopedPdu.ContextName.ToArray(), Is.EqualTo("printer"u8.ToArray()));
        });
    }

    [Test]
    public void Garbage_behind_a_valid_MAC_is_rejected_not_thrown()
    {
        // A peer that knows the keys but encrypts junk: authentication passes, decryption yields no ScopedPDU.
        var engine = new RemoteEngine(EngineId, 1, 12, TimeProvider.System);
        UsmLocalizedKeys keys = new UsmKeyCache().Get(ShaAes, EngineId)!;
        byte[] junk = [.. Enumerable.Range(0, 48).Select(i => (byte)(i * 37))];
        byte[] ciphertext = new UsmPrivacy(1).Encrypt(PrivProtocol.Aes128, keys.PrivKey!, 1, 12, junk, out byte[] salt);
        var usm = new UsmSecurityParameters(EngineId, 1, 12, "u_sha_aes128"u8.ToArray(), new byte[12], salt);
        byte[] datagram = V3Message.Encode(1, 65507, V3MessageFlags.Authenticated | V3MessageFlags.Private, usm, ciphertext, encrypted: true, out int authOffset);
        UsmAuthentication.Sign(AuthProtocol.Sha1, keys.AuthKey, datagram, datagram.AsSpan(authOffset, 12));

        UsmIncomingStatus status = UsmMessageProcessor.Process(datagram, V3Message.Decode(datagram), ShaAes, keys, engine, out ScopedPdu? scoped, out string? rejection);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(UsmIncomingStatus.Rejected));
            Assert.That(scoped, Is.Null);
            Assert.That(rejection, Does.StartWith("decryption failed"));
        });
    }

    public static IEnumerable<TestCaseData> MalformedEnvelopes()
    {
        static TestCaseData Case(string name, Action<EnvelopeSpec> change)
        {
            var spec = new EnvelopeSpec();
            change(spec);
            return new TestCaseData(spec.Encode()).SetName(name);
        }

        yield return Case("msgFlags of two octets", s => s.Flags = [0x04, 0x00]);
        yield return Case("msgFlags empty", s => s.Flags = []);
        yield return Case("privFlag without authFlag", s => s.Flags = [0x06]);
        yield return Case("security model 2 (community-based)", s => s.SecurityModel = 2);
        yield return Case("engineBoots negative", s => s.Boots = -1);
        yield return Case("engineTime above 2^31-1", s => s.Time = 1L << 31);
        yield return Case("engine ID of 33 octets", s => s.EngineId = new byte[33]);
        yield return Case("user name of 33 octets", s => s.UserName = new byte[33]);
        yield return Case("msgID above Integer32", s => s.MessageId = 1L << 31);
        yield return Case("msgSecurityParameters not a SEQUENCE", s => s.RawSecurityParameters = [0x04, 0x00]);
        yield return Case("extra field in UsmSecurityParameters", s => s.ExtraUsmField = true);
        yield return Case("extra field in msgGlobalData", s => s.ExtraHeaderField = true);
        yield return Case("SetRequest inside the scoped PDU", s => s.PduTag = 0xA3);
        yield return Case("Trap inside the scoped PDU", s => s.PduTag = 0xA7);
        yield return Case("msgData neither OCTET STRING nor SEQUENCE", s => s.RawMsgData = [0x02, 0x01, 0x00]);
    }

    [TestCaseSource(nameof(MalformedEnvelopes))]
    public void Malformed_envelopes_are_SnmpDecodeException(byte[] datagram)
    {
        Assert.That(() => V3Message.Decode(datagram), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void The_envelope_builder_makes_a_valid_message_by_default()
    {
        Assert.That(V3Message.Decode(new EnvelopeSpec().Encode()).ScopedPdu!.Pdu.Type, Is.EqualTo(PduType.Response));
    }

    private static UsmIncomingStatus Process(byte[] datagram, V3Message message, UsmCredentials credentials, out ScopedPdu? scoped, out string? rejection)
    {
        UsmLocalizedKeys? keys = Keys.Get(credentials, EngineId);
        var engine = new RemoteEngine(EngineId, 1, 12, TimeProvider.System);
        return UsmMessageProcessor.Process(datagram, message, credentials, keys, engine, out scoped, out rejection);
    }

    /// <summary>Builds v3 envelopes field by field, including ones our encoder would never write.</summary>
    public sealed class EnvelopeSpec
    {
        public long MessageId { get; set; } = 1;
        public byte[] Flags { get; set; } = [0x00];
        public long SecurityModel { get; set; } = 3;
        public byte[] EngineId { get; set; } = V3MessageTests.EngineId;
        public long Boots { get; set; } = 1;
        public long Time { get; set; } = 12;
        public byte[] UserName { get; set; } = "u_noauth"u8.ToArray();
        public byte[]? RawSecurityParameters { get; set; }
        public bool ExtraUsmField { get; set; }
        public bool ExtraHeaderField { get; set; }
        public byte PduTag { get; set; } = 0xA2;
        public byte[]? RawMsgData { get; set; }

        public byte[] Encode()
        {
            var usm = new AsnWriter(AsnEncodingRules.BER);
            using (usm.PushSequence())
            {
                usm.WriteOctetString(EngineId);
                usm.WriteInteger(Boots);
                usm.WriteInteger(Time);
                usm.WriteOctetString(UserName);
                usm.WriteOctetString([]);
                usm.WriteOctetString([]);
                if (ExtraUsmField)
                {
                    usm.WriteInteger(0);
                }
            }

            var writer = new AsnWriter(AsnEncodingRules.BER);
            using (writer.PushSequence())
            {
                writer.WriteInteger(3);
                using (writer.PushSequence())
                {
                    writer.WriteInteger(MessageId);
                    writer.WriteInteger(65507);
                    writer.WriteOctetString(Flags);
                    writer.WriteInteger(SecurityModel);
                    if (ExtraHeaderField)
                    {
                        writer.WriteInteger(0);
                    }
                }

                writer.WriteOctetString(RawSecurityParameters ?? usm.Encode());
                if (RawMsgData is not null)
                {
                    writer.WriteEncodedValue(RawMsgData);
                }
                else
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteOctetString(EngineId);
                        writer.WriteOctetString([]);
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, PduTag & 0x1F, isConstructed: true)))
                        {
                            writer.WriteInteger(1);
                            writer.WriteInteger(0);
                            writer.WriteInteger(0);
                            using (writer.PushSequence())
                            {
                            }
                        }
                    }
                }
            }

            return writer.Encode();
        }
    }
}
