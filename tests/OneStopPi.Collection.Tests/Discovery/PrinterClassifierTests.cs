using OneStopPi.Collection.Discovery;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Text;
using OneStopPi.TestSupport;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class PrinterClassifierTests
{
    public static IEnumerable<TestCaseData> Recordings() =>
        RepoPaths.SampleRecordings().Select(f => new TestCaseData(f).SetName($"Recording_is_a_printer({Path.GetFileNameWithoutExtension(f)})"));

    /// <summary>What the discovery probe's GET gets from a recording: the probe OIDs it holds, noSuchInstance for the rest.</summary>
    private static List<Varbind> ProbeOf(string file)
    {
        var records = new Dictionary<ObjectIdentifier, SnmpValue>();
        foreach (string line in File.ReadLines(file))
        {
            if (SnmprecFormat.TryParseRecord(line, out Varbind varbind, out _))
            {
                records[varbind.Oid] = varbind.Value;
            }
        }

        return [.. ProbeAnswers.Oids.Select(o => new Varbind(o, records.TryGetValue(o, out SnmpValue v) ? v : SnmpValue.NoSuchInstance))];
    }

    [TestCaseSource(nameof(Recordings))]
    public void Recording(string file)
    {
        ProbeAnswers answers = ProbeAnswers.Read(ProbeOf(file));
        Classification verdict = PrinterClassifier.Classify(answers);
        Assert.That(verdict.Printer, Is.True, $"{verdict.Reason}; sysDescr '{answers.SysDescr}', sysObjectID {answers.SysObjectId}");
        Assert.That(verdict.Reason, Is.Not.Empty);
    }

    [Test]
    public void Reasons_say_which_rule()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PrinterClassifier.Classify(new ProbeAnswers(null, null, true, null, null)).Reason, Is.EqualTo("Printer-MIB answers"));
            Classification ricoh = PrinterClassifier.Classify(new ProbeAnswers("RICOH MP 3053", "1.3.6.1.4.1.367.1.1", false, null, null));
            Assert.That((ricoh.Printer, ricoh.Vendor), Is.EqualTo((true, "Ricoh")));
            Assert.That(ricoh.Reason, Does.Contain("sysObjectID 1.3.6.1.4.1.367.1.1 is under Ricoh"));
            Classification sharp = PrinterClassifier.Classify(new ProbeAnswers("SHARP MX-2614N", null, false, null, null));
            Assert.That((sharp.Printer, sharp.Vendor), Is.EqualTo((true, "Sharp")));
            Assert.That(sharp.Reason, Does.Contain("no sysObjectID"));
        });
    }

    [TestCase("Linux fileserver 6.1.0-18-amd64 #1 SMP x86_64", "1.3.6.1.4.1.8072.3.2.10")]
    [TestCase("ProCurve J9280A Switch 2510G-48, revision Y.11.12", "1.3.6.1.4.1.11.2.3.7.11.87")]
    [TestCase("Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M)", "1.3.6.1.4.1.9.1.1208")]
    [TestCase("Hardware: Intel64 Family 6 - Software: Windows Version 6.3", "1.3.6.1.4.1.311.1.1.3.1.2")]
    [TestCase("Samsung SmartThings hub", "1.3.6.1.4.1.236.1.1")]
    public void Not_printers(string descr, string oid)
    {
        Classification verdict = PrinterClassifier.Classify(new ProbeAnswers(descr, oid, false, null, null));
        Assert.That(verdict.Printer, Is.False, verdict.Reason);
        Assert.That(verdict.Reason, Does.StartWith("not a printer"));
    }

    [Test]
    public void Serial_from_a_jetdirect_sysDescr()
    {
        ProbeAnswers answers = ProbeAnswers.Read([new Varbind("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("HP ETHERNET MULTI-ENVIRONMENT,SN:VNCRC48198,FN:4Q8"))]);
        Assert.That(answers.Serial, Is.EqualTo("VNCRC48198"));
    }
}
