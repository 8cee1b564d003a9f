using System.Xml;
using System.Xml.Schema;

namespace OneStopPi.Portal.Readings;

/// <summary>schemas/readings.xsd, embedded in the portal and compiled once.</summary>
internal static class ReadingsSchema
{
    public const string Namespace = "urn:onestoppi:readings:1";
    public const string ResourceName = "OneStopPi.Portal.readings.xsd";

    private static readonly Lazy<XmlSchemaSet> Set = new(Load);

    public static XmlSchemaSet Schemas => Set.Value;

    /// <summary>The XSD text, served at /schemas/readings.xsd.</summary>
    public static async Task<string> ReadTextAsync()
    {
        using var reader = new StreamReader(Open());
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }

    private static Stream Open() =>
        typeof(ReadingsSchema).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");

    private static XmlSchemaSet Load()
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        using var stream = Open();
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        set.Add(Namespace, reader);
        set.Compile();
        return set;
    }
}
