using OneStopPi.Snmp;

namespace OneStopPi.Simulator.Tests;

public class RecordingTests
{
    [Test]
    public void Every_sample_recording_loads_without_problems()
    {
        RecordingSet set = RecordingLoader.LoadDirectory(TestPaths.Walks);

        Assert.That(set.Recordings, Has.Count.EqualTo(64));
        Assert.That(set.Problems, Is.Empty);
        Assert.That(set.Recordings.Select(r => r.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public void Unreadable_records_are_reported_with_line_numbers_and_skipped()
    {
        const string text = """
            # a comment
            1.3.6.1.2.1.1.1.0|4|printer

            1.3.6.1.2.1.1.3.0|67|notanumber
            no pipes here
            1.3.6.1.2.1.2.2.1.17.1|65|6git3159
            1.3.6.1.2.1.1.5.0|4x|zz
            1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11
            1.3.6.1.2.1.1.4.0|99|unknown tag
            """;
        var problems = new List<RecordingProblem>();

        Recording recording = RecordingLoader.Load("bad.snmprec", new StringReader(text), problems);

        Assert.That(recording.Count, Is.EqualTo(2));
        Assert.That(problems.Select(p => p.Line), Is.EqualTo(new[] { 4, 5, 6, 7, 9 }));
        Assert.That(problems.All(p => p.File == "bad.snmprec"));
        Assert.That(problems[0].ToString(), Does.StartWith("bad.snmprec:4: "));
    }

    [Test]
    public void Records_are_sorted_arc_by_arc_and_the_first_duplicate_is_kept()
    {
        const string text = """
            1.3.6.1.2.1.2.2.1.10.1|65|10
            1.3.6.1.2.1.2.2.1.9.1|67|9
            1.3.6.1.2.1.4.20.1.2.192.168.1.10|2|1
            1.3.6.1.2.1.4.20.1.2.192.168.1.10|2|2
            """;
        var problems = new List<RecordingProblem>();

        Recording recording = RecordingLoader.Load("dup.snmprec", new StringReader(text), problems);

        Assert.That(recording.Varbinds.Select(v => v.Oid.ToString()), Is.EqualTo(new[]
        {
            "1.3.6.1.2.1.2.2.1.9.1", "1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.4.20.1.2.192.168.1.10",
        }));
        Assert.That(recording.ValueAt(2), Is.EqualTo(SnmpValue.Integer32(1)));
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0].Line, Is.EqualTo(4));
        Assert.That(problems[0].Message, Does.Contain("duplicate"));
    }

    [Test]
    public void Binary_search_finds_exact_and_next_records()
    {
        Recording recording = Recording.FromVarbinds("t", [
            new Varbind("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("a")),
            new Varbind("1.3.6.1.2.1.1.3.0", SnmpValue.TimeTicks(5)),
            new Varbind("1.3.6.1.2.1.43.10.2.1.4.1.1", SnmpValue.Counter32(100)),
        ]);

        Assert.That(recording.IndexOf("1.3.6.1.2.1.1.3.0"), Is.EqualTo(1));
        Assert.That(recording.IndexOf("1.3.6.1.2.1.1.2.0"), Is.EqualTo(-1));
        Assert.That(recording.IndexAfter("1.3.6.1.2.1.1.1.0"), Is.EqualTo(1));
        Assert.That(recording.IndexAfter("1.3.6.1.2.1.1.2"), Is.EqualTo(1));
        Assert.That(recording.IndexAfter("1.3"), Is.EqualTo(0));
        Assert.That(recording.IndexAfter("1.3.6.1.2.1.43.10.2.1.4.1.1"), Is.EqualTo(3));
    }

    [Test]
    public void A_missing_directory_is_an_error_and_an_unreadable_file_a_problem()
    {
        Assert.Throws<DirectoryNotFoundException>(() => RecordingLoader.LoadDirectory("/nonexistent/walks"));
    }
}
