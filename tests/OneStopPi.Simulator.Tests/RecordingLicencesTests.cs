using System.Text.RegularExpressions;

namespace OneStopPi.Simulator.Tests;

/// <summary>
/// samples/walks/LICENSES.md lists every recording with what it holds; the demo tells identity-only printers
/// apart by that column, so it must stay true to the files: "identity only" exactly when a recording has no
/// Printer-MIB or HOST-RESOURCES-MIB object other than prtGeneralSerialNumber.
/// </summary>
[TestFixture]
public sealed partial class RecordingLicencesTests
{
    private const string PrinterMib = "1.3.6.1.2.1.43.";
    private const string PrtGeneralSerialNumber = "1.3.6.1.2.1.43.5.1.1.17.";
    private const string HostResources = "1.3.6.1.2.1.25.";

    [Test]
    public void Every_recording_is_listed_once_and_its_holds_column_matches_its_objects()
    {
        Dictionary<string, string> listed = [];
        foreach (string line in File.ReadLines(Path.Combine(TestPaths.Walks, "LICENSES.md")))
        {
            if (FileRow().Match(line) is { Success: true } row)
            {
                Assert.That(listed.TryAdd(row.Groups["file"].Value, row.Groups["holds"].Value.Trim()), Is.True, $"listed twice: {line}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(listed.Keys, Is.EquivalentTo(TestPaths.SampleFiles()), "the Files table lists exactly the recordings");
            foreach (string file in TestPaths.SampleFiles().Where(listed.ContainsKey))
            {
                string expected = HoldsIdentityOnly(Path.Combine(TestPaths.Walks, file)) ? "identity only" : "printer data";
                Assert.That(listed[file], Is.EqualTo(expected), file);
            }
        });
    }

    [Test]
    public void The_rule_tells_a_recording_with_printer_objects_from_one_with_identity_only()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"osp-licences-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string identity = Path.Combine(directory, "identity.snmprec");
            File.WriteAllLines(identity, ["1.3.6.1.2.1.1.1.0|4|Printer", "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1", "1.3.6.1.2.1.43.5.1.1.17.1|4|SN1"]);
            string counters = Path.Combine(directory, "counters.snmprec");
            File.WriteAllLines(counters, ["1.3.6.1.2.1.1.1.0|4|Printer", "1.3.6.1.2.1.43.10.2.1.4.1.1|65|1234"]);
            string status = Path.Combine(directory, "status.snmprec");
            File.WriteAllLines(status, ["1.3.6.1.2.1.1.1.0|4|Printer", "1.3.6.1.2.1.25.3.2.1.5.1|2|2"]);
            Assert.Multiple(() =>
            {
                Assert.That(HoldsIdentityOnly(identity), Is.True);
                Assert.That(HoldsIdentityOnly(counters), Is.False);
                Assert.That(HoldsIdentityOnly(status), Is.False);
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static bool HoldsIdentityOnly(string recording) =>
        !File.ReadLines(recording, System.Text.Encoding.Latin1)
            .Select(line => line.Split('|', 2)[0])
            .Any(oid => (oid.StartsWith(PrinterMib, StringComparison.Ordinal) && !oid.StartsWith(PrtGeneralSerialNumber, StringComparison.Ordinal))
                || oid.StartsWith(HostResources, StringComparison.Ordinal));

    /// <summary>A row of the Files table: | `file.snmprec` | source | upstream path | holds |</summary>
    [GeneratedRegex(@"^\| `(?<file>[^`]+\.snmprec)` \|[^|]*\|[^|]*\|(?<holds>[^|]*)\|$")]
    private static partial Regex FileRow();
}
