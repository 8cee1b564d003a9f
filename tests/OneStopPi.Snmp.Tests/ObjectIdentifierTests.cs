namespace OneStopPi.Snmp.Tests;

[TestFixture]
public sealed class ObjectIdentifierTests
{
    [TestCase("1.3.6.1.2.1.1.1.0", new uint[] { 1, 3, 6, 1, 2, 1, 1, 1, 0 })]
    [TestCase(".1.3.6.1.2.1.1.1.0", new uint[] { 1, 3, 6, 1, 2, 1, 1, 1, 0 })]
    [TestCase("  1.3.6 ", new uint[] { 1, 3, 6 })]
    [TestCase("0.0", new uint[] { 0, 0 })]
    [TestCase("1", new uint[] { 1 })]
    [TestCase("2.999.4294967295", new uint[] { 2, 999, 4294967295 })]
    public void Parse_reads_dotted_decimal(string text, uint[] arcs)
    {
        Assert.That(ObjectIdentifier.Parse(text).Arcs.ToArray(), Is.EqualTo(arcs));
    }

    [TestCase("")]
    [TestCase(".")]
    [TestCase("1..3")]
    [TestCase("1.3.")]
    [TestCase("1.3.-6")]
    [TestCase("1.3.+6")]
    [TestCase("1.3.6a")]
    [TestCase("iso.3.6")]
    [TestCase("1.3.4294967296")]
    [TestCase("1 .3")]
    [TestCase("..1.3")]
    public void Parse_refuses_what_is_not_a_numeric_oid(string text)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ObjectIdentifier.TryParse(text, out _), Is.False);
            Assert.That(() => ObjectIdentifier.Parse(text), Throws.TypeOf<FormatException>());
        });
    }

    [Test]
    public void TryParse_of_null_is_false()
    {
        Assert.That(ObjectIdentifier.TryParse((string?)null, out _), Is.False);
    }

    [Test]
    public void At_most_128_arcs()
    {
        string arcs128 = string.Join('.', Enumerable.Repeat("1", ObjectIdentifier.MaxArcs));
        Assert.Multiple(() =>
        {
            Assert.That(ObjectIdentifier.Parse(arcs128).Length, Is.EqualTo(128));
            Assert.That(ObjectIdentifier.TryParse(arcs128 + ".1", out _), Is.False);
            Assert.That(() => new ObjectIdentifier(new uint[129]), Throws.ArgumentException);
            Assert.That(new ObjectIdentifier(new uint[128]).Length, Is.EqualTo(128));
        });
    }

    [Test]
    public void Formats_without_and_with_leading_dot()
    {
        var oid = ObjectIdentifier.Parse("1.3.6.1.4.1.4294967295.0");
        Assert.Multiple(() =>
        {
            Assert.That(oid.ToString(), Is.EqualTo("1.3.6.1.4.1.4294967295.0"));
            Assert.That(oid.ToString("N", null), Is.EqualTo(".1.3.6.1.4.1.4294967295.0"));
            Assert.That($"{oid:N}", Is.EqualTo(".1.3.6.1.4.1.4294967295.0"));
            Assert.That(default(ObjectIdentifier).ToString(), Is.Empty);
        });
    }

    [Test]
    public void Formats_128_arcs_of_the_largest_value()
    {
        string text = string.Join('.', Enumerable.Repeat("4294967295", ObjectIdentifier.MaxArcs));
        var oid = ObjectIdentifier.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(oid.ToString(), Is.EqualTo(text));
            Assert.That(oid.ToString("N", null), Is.EqualTo("." + text));
        });
    }

    [Test]
    public void TryFormat_reports_a_short_buffer()
    {
        var oid = ObjectIdentifier.Parse("1.3.6.1");
        bool small = oid.TryFormat(new char[6], out _);
        bool exact = oid.TryFormat(new char[7], out int written);
        Assert.Multiple(() =>
        {
            Assert.That(small, Is.False);
            Assert.That(exact, Is.True);
            Assert.That(written, Is.EqualTo(7));
        });
    }

    [TestCase("1.3.6.1", "1.3.6.1", 0)]
    [TestCase("1.3.6.1", "1.3.6.1.0", -1)]
    [TestCase("1.3.6.1.2.1.2.2.1.9.1", "1.3.6.1.2.1.2.2.1.10.1", -1)] // arc by arc, not as text
    [TestCase("1.3.6.1.4.1.4294967295", "1.3.6.1.4.1.2147483648", 1)] // unsigned arcs
    [TestCase("1.3.6.2", "1.3.6.1.9.9.9", 1)]
    [TestCase("0.0", "1", -1)]
    public void Compares_arc_by_arc(string left, string right, int sign)
    {
        ObjectIdentifier a = left, b = right;
        Assert.Multiple(() =>
        {
            Assert.That(Math.Sign(a.CompareTo(b)), Is.EqualTo(sign));
            Assert.That(Math.Sign(b.CompareTo(a)), Is.EqualTo(-sign));
            Assert.That(a < b, Is.EqualTo(sign < 0));
            Assert.That(a > b, Is.EqualTo(sign > 0));
            Assert.That(a <= b, Is.EqualTo(sign <= 0));
            Assert.That(a >= b, Is.EqualTo(sign >= 0));
            Assert.That(a == b, Is.EqualTo(sign == 0));
            Assert.That(a != b, Is.EqualTo(sign != 0));
        });
    }

    [Test]
    public void Sorting_matches_snmp_lexicographic_order()
    {
        string[] sorted = ["1.3.6.1.2.1.2.2.1.2.1", "1.3.6.1.2.1.2.2.1.2.2", "1.3.6.1.2.1.2.2.1.2.10", "1.3.6.1.2.1.2.2.1.9.1", "1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.2.2.1.10.1.0"];
        ObjectIdentifier[] shuffled = [.. sorted.Reverse().Select(ObjectIdentifier.Parse)];
        Array.Sort(shuffled);
        Assert.That(shuffled.Select(o => o.ToString()), Is.EqualTo(sorted));
    }

    [Test]
    public void Equality_and_hash_follow_the_arcs()
    {
        var a = ObjectIdentifier.Parse("1.3.6.1.2.1.1.1.0");
        var b = new ObjectIdentifier([1, 3, 6, 1, 2, 1, 1, 1, 0]);
        var set = new HashSet<ObjectIdentifier> { a };
        Assert.Multiple(() =>
        {
            Assert.That(b, Is.EqualTo(a));
            Assert.That(b.GetHashCode(), Is.EqualTo(a.GetHashCode()));
            Assert.That(set, Does.Contain(b));
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.Equals((object)"1.3.6.1.2.1.1.1.0"), Is.False, "a string is not an OID as an object");
            Assert.That(default(ObjectIdentifier), Is.EqualTo(new ObjectIdentifier([])));
        });
    }

    [TestCase("1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1", true)]
    [TestCase("1.3.6.1.2.1.1", "1.3.6.1.2.1.1", true)]
    [TestCase("1.3.6.1.2.1.10", "1.3.6.1.2.1.1", false)] // a prefix by arcs, not by text
    [TestCase("1.3.6.1.2.1", "1.3.6.1.2.1.1", false)]
    [TestCase("1.3.6.1.2.1", "1", true)]
    public void StartsWith_compares_whole_arcs(string oid, string prefix, bool expected)
    {
        ObjectIdentifier o = oid, p = prefix;
        Assert.Multiple(() =>
        {
            Assert.That(o.StartsWith(p), Is.EqualTo(expected));
            Assert.That(o.IsDescendantOf(p), Is.EqualTo(expected && o.Length > p.Length));
            Assert.That(o.StartsWith(default), Is.True);
        });
    }

    [Test]
    public void Append_and_SuffixAfter_build_and_split_table_indexes()
    {
        ObjectIdentifier column = "1.3.6.1.2.1.43.11.1.1.9";
        ObjectIdentifier cell = column.Append(1, 4294967295);
        Assert.Multiple(() =>
        {
            Assert.That(cell.ToString(), Is.EqualTo("1.3.6.1.2.1.43.11.1.1.9.1.4294967295"));
            Assert.That(cell.SuffixAfter(column).ToArray(), Is.EqualTo(new uint[] { 1, 4294967295 }));
            Assert.That(column.ToString(), Is.EqualTo("1.3.6.1.2.1.43.11.1.1.9"), "Append must not change the original");
            Assert.That(() => column.SuffixAfter(cell), Throws.ArgumentException);
        });
    }

    [Test]
    public void The_arcs_are_copied_on_construction()
    {
        uint[] arcs = [1, 3, 6];
        var oid = new ObjectIdentifier(arcs);
        arcs[2] = 9;
        Assert.That(oid.ToString(), Is.EqualTo("1.3.6"));
    }
}
