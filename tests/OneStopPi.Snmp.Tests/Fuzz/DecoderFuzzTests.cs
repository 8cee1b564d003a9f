using OneStopPi.Snmp.Ber;
using OneStopPi.Snmp.Messages;

namespace OneStopPi.Snmp.Tests.Fuzz;

/// <summary>
/// The CI part of the decoder fuzzing (the long run is scripts/fuzz-snmp, results in docs/fuzzing.md):
/// a fixed-seed run of 50,000 mutated and random inputs through every decoding entry point, plus the
/// inputs earlier runs found, kept as regression cases.
/// </summary>
[TestFixture]
public class DecoderFuzzTests
{
    /// <summary>Deterministic: the same inputs every run, so a failure reproduces with this seed.</summary>
    private const int Seed = 20260;

    private const int Inputs = 50_000;

    /// <summary>
    /// A bound against a runaway run, not a speed goal: every one of the inputs must be decoded (a busy machine
    /// did 34,000 in 60 s). A hang is caught by the watchdog below (no progress for 10 s).
    /// </summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(10);

    [Test]
    [CancelAfter(11 * 60_000)]
    public void Mutated_real_and_encoded_packets_only_ever_raise_SnmpDecodeException()
    {
        var fuzzer = new SnmpFuzzer(Seed);
        FuzzReport? report = null;
        Exception? crash = null;
        var thread = new Thread(() =>
        {
            try
            {
                report = fuzzer.Run(Inputs, RunLimit);
            }
            catch (Exception e)
            {
                crash = e;
            }
        })
        { IsBackground = true, Name = "fuzz" };
        thread.Start();

        // Watchdog: a decoder that loops forever on one input would stop progress.
        long last = -1;
        DateTime lastChange = DateTime.UtcNow;
        while (!thread.Join(250))
        {
            long progress = fuzzer.Progress;
            if (progress != last)
            {
                last = progress;
                lastChange = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastChange > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"No progress for 10 s (a hang?) in {fuzzer.CurrentTarget} on input {fuzzer.CurrentInputHex}");
            }
        }

        Assert.That(crash, Is.Null, () => $"the harness itself failed: {crash}");
        TestContext.Out.WriteLine(report!.Summary());
        Assert.Multiple(() =>
        {
            Assert.That(report.Failures, Is.Empty, () => string.Join("\n", report.Failures.Take(5)));
            Assert.That(report.Inputs, Is.EqualTo(Inputs), "the run hit its time limit");
            Assert.That(report.AcceptedByTarget.GetValueOrDefault("CommunityMessage.Decode"), Is.GreaterThan(100), "mutations should still reach the v1/v2c decoder's end");
            Assert.That(report.AcceptedByTarget.GetValueOrDefault("UsmMessageProcessor.Process encrypted"), Is.GreaterThan(100), "mutations should reach the decrypted scoped PDU decoder");
        });
    }

    private static IEnumerable<TestCaseData> RegressionCases() =>
        FuzzRegressions.Cases.Select((c, i) => new TestCaseData(i).SetName($"Fuzz regression: {c.Bug}"));

    [TestCaseSource(nameof(RegressionCases))]
    public void Input_found_by_the_fuzzer_is_rejected_cleanly(int index)
    {
        (_, FuzzSeedKind kind, string hex) = FuzzRegressions.Cases[index];
        var fuzzer = new SnmpFuzzer(Seed);
        fuzzer.RunTargets(Convert.FromHexString(hex), kind, measure: true);
        Assert.That(fuzzer.Report.Failures, Is.Empty, () => string.Join("\n", fuzzer.Report.Failures));
    }

    [Test]
    public void Indefinite_length_is_a_decode_error_not_an_AsnContentException()
    {
        byte[] indefinite = Convert.FromHexString(FuzzRegressions.Cases[0].Hex);
        Assert.Multiple(() =>
        {
            Assert.That(SnmpDecoder.TryReadTlv(indefinite, out _, out _, out _, out _), Is.False);
            Assert.Throws<SnmpDecodeException>(() => CommunityMessage.Decode(indefinite));
            Assert.Throws<SnmpDecodeException>(() => V3Message.Decode(indefinite));
            Assert.Throws<SnmpDecodeException>(() => ScopedPdu.Decode(Convert.FromHexString("3080040000")));
        });
    }

    [Test]
    public void Every_seed_packet_decodes()
    {
        // The seeds must be valid, or the mutations start from noise.
        Assert.Multiple(() =>
        {
            foreach (FuzzSeed seed in FuzzSeeds.All)
            {
                Assert.DoesNotThrow(() =>
                {
                    if (seed.Kind == FuzzSeedKind.ScopedPdu)
                    {
                        ScopedPdu.Decode(seed.Bytes);
                    }
                    else if (MessageHeader.TryPeekVersion(seed.Bytes, out SnmpVersion version) && version == SnmpVersion.V3)
                    {
                        V3Message.Decode(seed.Bytes);
                    }
                    else
                    {
                        CommunityMessage.Decode(seed.Bytes);
                    }
                }, seed.Name);
            }
        });
    }
}
