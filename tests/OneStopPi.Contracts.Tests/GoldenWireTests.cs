using System.Text;
using System.Text.Json;
using OneStopPi.TestSupport;

namespace OneStopPi.Contracts.Tests;

/// <summary>
/// The wire as it is: every message serialized and compared with its checked-in golden file (Golden/*.json, the
/// compact JSON re-indented for reading). A change of a name, a type or the null handling fails here first. After a
/// deliberate change, ONESTOPPI_UPDATE_GOLDEN=1 rewrites the files; review their diff like code.
/// </summary>
public sealed class GoldenWireTests
{
    private static string GoldenDirectory => Path.Combine(RepoPaths.Root, "tests", "OneStopPi.Contracts.Tests", "Golden");

    private static bool Update => Environment.GetEnvironmentVariable("ONESTOPPI_UPDATE_GOLDEN") == "1";

    [TestCaseSource(typeof(WireSamples), nameof(WireSamples.All))]
    public void A_message_serializes_as_its_golden_file(string name, IWireSample sample)
    {
        string actual = Indented(sample.Serialize());
        string path = Path.Combine(GoldenDirectory, name + ".json");
        if (Update)
        {
            File.WriteAllText(path, actual);
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing: run with ONESTOPPI_UPDATE_GOLDEN=1 once and check it in");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path)), $"the wire form of {name} changed");
    }

    [TestCaseSource(typeof(WireSamples), nameof(WireSamples.All))]
    public void A_golden_file_reads_back_to_the_same_message(string name, IWireSample sample)
    {
        byte[] golden = File.ReadAllBytes(Path.Combine(GoldenDirectory, name + ".json"));
        Assert.That(Indented(sample.RoundTrip(golden)), Is.EqualTo(Encoding.UTF8.GetString(golden)));
    }

    [Test]
    public void Every_golden_file_has_its_message()
    {
        string[] names = [.. WireSamples.All().Select(c => (string)c.Arguments[0]!)];
        string[] files = [.. Directory.GetFiles(GoldenDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()];
        Assert.That(files, Is.EquivalentTo(names), "a golden file without a sample (or the reverse): a message was renamed or dropped");
    }

    /// <summary>The compact wire bytes, property order and values kept, indented with \n line ends and a final newline.</summary>
    internal static string Indented(byte[] compact)
    {
        using JsonDocument document = JsonDocument.Parse(compact);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            document.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
