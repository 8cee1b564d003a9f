using System.Text.Json;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Collection.Tests.Readings;

/// <summary>The JSON field names the issue lists (docs/scan-json.md), exactly.</summary>
public sealed class JsonShapeTests
{
    [Test]
    public void Field_names_are_the_documented_ones()
    {
        var reading = new DeviceReading
        {
            Ip = "10.0.0.5",
            Port = 161,
            Mac = "aa:bb:cc:dd:ee:ff",
            Status = new DeviceStatus
            {
                HrDeviceStatus = HrDeviceStatus.Warning,
                Errors = ["lowToner"],
                Alerts = [new PrinterAlert { Index = 1, Severity = AlertSeverity.Warning, Group = AlertGroup.MarkerSupplies, Code = "markerTonerAlmostEmpty", CodeValue = 1104 }],
            },
            Counters = new Dictionary<string, PageCounter> { ["total"] = new(1234, "1.3.6.1.2.1.43.10.2.1.4.1.1") },
            Supplies = [new SupplyReading { Description = "Black Toner", Type = SupplyType.WasteToner, Colour = "black", Level = -3, Max = 100, State = SupplyState.SomeRemaining }],
            Requests = 4,
        };
        using JsonDocument doc = JsonDocument.Parse(ReadingJson.Serialize(reading));
        JsonElement root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[]
            {
                "ip", "port", "mac", "vendor", "model", "serial", "firmware", "sysName", "sysDescr", "sysObjectId", "status", "counters", "supplies", "requests", "error",
            }));
            Assert.That(root.GetProperty("status").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "hrDeviceStatus", "hrPrinterStatus", "errors", "alerts" }));
            Assert.That(root.GetProperty("supplies")[0].EnumerateObject().Select(p => p.Name),
                Is.SupersetOf(new[] { "description", "type", "colour", "level", "max", "unit", "percent", "state" }));
            Assert.That(root.GetProperty("status").GetProperty("hrDeviceStatus").GetString(), Is.EqualTo("warning"));
            Assert.That(root.GetProperty("supplies")[0].GetProperty("type").GetString(), Is.EqualTo("wasteToner"));
            Assert.That(root.GetProperty("supplies")[0].GetProperty("state").GetString(), Is.EqualTo("someRemaining"));
            Assert.That(root.GetProperty("supplies")[0].GetProperty("percent").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("counters").GetProperty("total").GetProperty("value").GetInt64(), Is.EqualTo(1234));
            Assert.That(root.GetProperty("status").GetProperty("alerts")[0].GetProperty("group").GetString(), Is.EqualTo("markerSupplies"));
            Assert.That(root.TryGetProperty("answered", out _), Is.False);
        });
    }
}
