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
