using System.Text.RegularExpressions;
using OneStopPi.Agent.Readings;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Tests.Readings;

/// <summary>
/// The span checks that replaced two generated regexes (for the AOT image's size) accept exactly what the
/// regexes accepted, apart from a trailing newline, which the regexes' $ let through and the schema does not.
/// </summary>
public sealed class SpanPatternTests
{
    private static readonly Regex CounterSource = new(@"^[0-2](\.[0-9]+)+(#[0-9A-Fa-f]{2})?(\+[0-2](\.[0-9]+)+(#[0-9A-Fa-f]{2})?)*$", RegexOptions.CultureInvariant);
    private static readonly Regex CounterName = new("^[a-z][A-Za-z0-9]{1,15}$", RegexOptions.CultureInvariant);

    [TestCase("1.3.6.1.2.1.43.10.2.1.4.1.1", true)]
    [TestCase("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.52#0a", true)]
    [TestCase("1.3.6.1.4.1.1.1#FF+1.3.6.1.4.1.1.2#00+2.5", true)]
    [TestCase("0.0", true)]
    [TestCase("3.1", false)]
    [TestCase("1", false)]
    [TestCase("1.", false)]
    [TestCase("1..3", false)]
    [TestCase("1.3#0", false)]
    [TestCase("1.3#0g", false)]
    [TestCase("1.3#0a0", false)]
    [TestCase("1.3+", false)]
    [TestCase("+1.3", false)]
    [TestCase("1.3.٣", false)]
    [TestCase("", false)]
    public void Counter_sources(string text, bool valid)
    {
        Assert.That(CounterSource.IsMatch(text), Is.EqualTo(valid), "the schema's regex");
        Assert.That(ReadingDocumentWriter.IsCounterSource(text), Is.EqualTo(valid));
    }

    [Test]
    public void Counter_sources_agree_with_the_regex_on_random_text()
    {
        var random = new Random(11);
        const string alphabet = "0123459.#+aFg";
        for (int i = 0; i < 200_000; i++)
        {
            char[] text = new char[random.Next(0, 14)];
            for (int j = 0; j < text.Length; j++)
            {
                text[j] = alphabet[random.Next(alphabet.Length)];
            }

            string s = new(text);
            Assert.That(ReadingDocumentWriter.IsCounterSource(s), Is.EqualTo(CounterSource.IsMatch(s)), s);
        }
    }

    [Test]
    public void Counter_names_agree_with_the_regex_on_random_text()
    {
        var random = new Random(11);
        const string alphabet = "abzAZ09_-é ";
        for (int i = 0; i < 200_000; i++)
        {
            char[] text = new char[random.Next(0, 19)];
            for (int j = 0; j < text.Length; j++)
            {
                text[j] = alphabet[random.Next(alphabet.Length)];
            }

            string s = new(text);
            Assert.That(CounterNames.IsValid(s), Is.EqualTo(CounterName.IsMatch(s)), s);
        }
    }

    [Test]
    public void A_trailing_newline_is_refused()
    {
        Assert.That(CounterName.IsMatch("impressions\n") && CounterSource.IsMatch("1.3.6\n"), Is.True, "the regexes' $ let it through");
        Assert.That(CounterNames.IsValid("impressions\n") || ReadingDocumentWriter.IsCounterSource("1.3.6\n"), Is.False);
    }
}
