using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Security;
using static OneStopPi.Snmp.Tests.Messages.CapturedPackets;

namespace OneStopPi.Snmp.Tests.Messages;

/// <summary>
/// Decoding never trusts the packet: any malformed input is an <see cref="SnmpDecodeException"/>,
/// never another exception type. Inputs are real packets, cut and mutated.
/// </summary>
[TestFixture]
public sealed class DecoderRobustnessTests
{
    [TestCaseSource(typeof(CapturedPackets), nameof(CapturedPackets.All))]
    public void The_whole_packet_decodes(string hex)
    {
        Assert.That(() => DecodeAny(Bytes(hex)), Throws.Nothing);
    }

    [TestCaseSource(typeof(CapturedPackets), nameof(CapturedPackets.All))]
    public void Truncation_at_every_offset_is_SnmpDecodeException(string hex)
    {
        byte[] packet = Bytes(hex);
        for (int length = 0; length < packet.Length; length++)
        {
            byte[] prefix = packet[..length];
            Assert.That(() => DecodeAny(prefix), Throws.TypeOf<SnmpDecodeException>(), $"prefix of {length} of {packet.Length} octets");
        }
    }

    [Test]
    public void Truncation_of_the_decrypted_scoped_pdu_at_every_offset_is_SnmpDecodeException()
    {
        byte[] datagram = Bytes(V3AuthPrivResponse);
        V3Message message = V3Message.Decode(datagram);
        var user = new UsmCredentials("u_sha_aes128", AuthProtocol.Sha1, "authpass-1234", PrivProtocol.Aes128, "privpass-5678");
        byte[] engineId = Bytes(SnmpdEngineId);
        byte[] privKey = new UsmKeyCache().Get(user, engineId)!.PrivKey!;
        byte[] plaintext = UsmPrivacy.Decrypt(PrivProtocol.Aes128, privKey, message.Usm.EngineBoots, message.Usm.EngineTime,
            message.Usm.PrivacyParameters.Span, message.EncryptedPdu.Span);

        Assert.That(ScopedPdu.Decode(plaintext).Pdu.Varbinds, Has.Count.EqualTo(1));
        for (int length = 0; length < plaintext.Length; length++)
        {
            byte[] prefix = plaintext[..length];
            Assert.That(() => ScopedPdu.Decode(prefix), Throws.TypeOf<SnmpDecodeException>(), $"prefix of {length} octets");
        }
    }

    [TestCaseSource(typeof(CapturedPackets), nameof(CapturedPackets.All))]
    public void Every_single_bit_flip_decodes_or_is_SnmpDecodeException(string hex)
    {
        byte[] packet = Bytes(hex);
        for (int i = 0; i < packet.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] mutated = (byte[])packet.Clone();
                mutated[i] ^= (byte)(1 << bit);
                AssertDecodesOrRefuses(mutated, $"bit {bit} of octet {i}");
            }
        }
    }

    [Test]
    public void Random_mutations_decode_or_are_SnmpDecodeException()
    {
        // Seeded, so a failure reproduces; OSP_FUZZ_ITERATIONS runs it longer.
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("OSP_FUZZ_ITERATIONS"), out int n) ? n : 60_000;
        var random = new Random(20260209);
        byte[][] seeds = [.. CapturedPackets.All().Select(c => Bytes((string)c.Arguments[0]!))];
        int decoded = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = Mutate(random, seeds[random.Next(seeds.Length)]);
            if (AssertDecodesOrRefuses(input, $"iteration {i}: {Convert.ToHexString(input)}"))
            {
                decoded++;
            }
        }

        Assert.That(decoded, Is.GreaterThan(0), "some mutations must still be valid messages, or the mutator only tests the framing");
    }

    [Test]
    public void Random_garbage_is_SnmpDecodeException()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = new byte[random.Next(0, 300)];
            random.NextBytes(input);
            if (input.Length > 0 && random.Next(2) == 0)
            {
                input[0] = 0x30; // look like a SEQUENCE to get past the first octet
            }

            AssertDecodesOrRefuses(input, Convert.ToHexString(input));
        }
    }

    [TestCase("3084FFFFFFFF020101", TestName = "4 GiB message length")]
    [TestCase("30830FFFFF020101", TestName = "1 MiB message length in a short datagram")]
    [TestCase("30800201010000", TestName = "indefinite length")]
    [TestCase("300C020101", TestName = "message shorter than its length")]
    [TestCase("300B0209010000000000000000", TestName = "version of 9 octets")]
    [TestCase("300D02010104067075626C6963A000", TestName = "empty PDU")]
    [TestCase("300F02010104067075626C6963A2023000", TestName = "PDU without request-id")]
    [TestCase("301002010104067075626C6963A203020101", TestName = "PDU without error fields")]
    public void Hostile_framing_is_SnmpDecodeException(string hex)
    {
        Assert.That(() => DecodeAny(Convert.FromHexString(hex)), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void Deep_nesting_is_SnmpDecodeException_without_recursion()
    {
        // 30 82 .. 30 82 .. x 10,000: a decoder that recursed per level would overflow the stack.
        var nested = new List<byte> { 0x05, 0x00 };
        for (int i = 0; i < 10_000; i++)
        {
            int length = nested.Count;
            nested.InsertRange(0, [0x30, 0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
        }

        Assert.That(() => DecodeAny([.. nested]), Throws.TypeOf<SnmpDecodeException>());
    }

    /// <summary>What the transport does with a datagram: dispatch on the version, then decode.</summary>
    private static void DecodeAny(byte[] datagram)
    {
        if (!MessageHeader.TryPeekVersion(datagram, out SnmpVersion version))
        {
            throw new SnmpDecodeException("not SNMP");
        }

        if (version == SnmpVersion.V3)
        {
            V3Message.Decode(datagram);
        }
        else
        {
            CommunityMessage.Decode(datagram);
        }
    }

    private static bool AssertDecodesOrRefuses(byte[] input, string what)
    {
        try
        {
            DecodeAny(input);
            return true;
        }
        catch (SnmpDecodeException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} escaped the decoder ({what}): {e}");
            return false;
        }
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var data = new List<byte>(seed);
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits && data.Count > 0; e++)
        {
            int at = random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    data[at] = new byte[] { 0x00, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xFF }[random.Next(7)];
                    break;
                case 3:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(4)));
                    break;
                case 4:
                    data.InsertRange(at, Enumerable.Range(0, 1 + random.Next(4)).Select(_ => (byte)random.Next(256)));
                    break;
                case 5:
                    data.RemoveRange(at, data.Count - at); // truncate
                    break;
                case 6:
                    int length = Math.Min(data.Count - at, 1 + random.Next(16));
                    data.InsertRange(at, data.GetRange(at, length)); // duplicate a slice
                    break;
                default:
                    data[at] = (byte)(data[at] + random.Next(-2, 3)); // nudge a length or a tag
                    break;
            }
        }

        return [.. data];
    }
}
