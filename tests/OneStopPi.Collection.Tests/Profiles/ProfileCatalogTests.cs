using OneStopPi.Collection.Profiles;

namespace OneStopPi.Collection.Tests.Profiles;

public sealed class ProfileCatalogTests
{
    [Test]
    public void Embedded_profiles_load_and_cover_every_vendor_family()
    {
        string[] names = [.. ProfileCatalog.Embedded.Profiles.Select(p => p.Name)];
        Assert.That(names, Is.SupersetOf(new[]
        {
            "hp", "ricoh", "kyocera", "canon", "xerox", "konica-minolta", "sharp", "brother", "lexmark", "samsung", "epson", "oki", "toshiba", "dell",
        }));
    }
}

public sealed class ProfileOverrideTests
{
    [Test]
    public void A_directory_replaces_a_profile_by_name_and_adds_new_ones()
    {
        string dir = Directory.CreateTempSubdirectory("onestoppi-profiles-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "hp.json"), """{ "name": "hp", "vendor": "HP (site)", "priority": 50, "match": [ { "sysObjectId": "1.3.6.1.4.1.11" } ] }""");
            File.WriteAllText(Path.Combine(dir, "acme.json"), """{ "name": "acme", "vendor": "Acme", "priority": 50, "match": [ { "sysDescr": "^Acme" } ] }""");
            ProfileCatalog catalog = ProfileCatalog.Load(dir);
            Assert.That(catalog.Profiles.Single(p => p.Name == "hp").Vendor, Is.EqualTo("HP (site)"));
            Assert.That(catalog.Match(null, "Acme Printer 9000")?.Name, Is.EqualTo("acme"));
            Assert.That(catalog.Profiles, Has.Count.EqualTo(ProfileCatalog.Embedded.Profiles.Count + 1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void A_bad_profile_is_refused_with_its_file_name()
    {
        var e = Assert.Throws<InvalidDataException>(() => ProfileCatalog.Parse("""{ "name": "x", "vendor": "X", "match": [ { "sysObjectId": "not.an.oid" } ] }""", "x.json"));
        Assert.That(e!.Message, Does.StartWith("x.json:"));
    }

    [TestCase("1.3.6.1.4.1.1347.41", "HP ETHERNET MULTI-ENVIRONMENT,ROM J.sp.00,JETDIRECT EX", "hp")]
    [TestCase("1.3.6.1.4.1.641.2.71107164", "TOSHIBA e-STUDIO305CS version NH63.GM.N639 kernel 3.0.0 All-N-1", "toshiba")]
    [TestCase("1.3.6.1.4.1.1347.41", "TA_UTAX Printing System", "kyocera")]
    [TestCase(null, "Dell B3460dn Laser Printer", "dell")]
    [TestCase("1.3.6.1.4.1.367.1.1", "SAVIN MP C4503 1.18 / SAVIN Network Printer C model", "ricoh")]
    [TestCase("1.3.6.1.4.1.99999.1", "Unknown thing", null)]
    public void Sysdescr_rules_outrank_a_borrowed_enterprise(string? sysObjectId, string sysDescr, string? profile) =>
        Assert.That(ProfileCatalog.Embedded.Match(sysObjectId is null ? (OneStopPi.Snmp.ObjectIdentifier?)null : OneStopPi.Snmp.ObjectIdentifier.Parse(sysObjectId), sysDescr)?.Name, Is.EqualTo(profile));
}
