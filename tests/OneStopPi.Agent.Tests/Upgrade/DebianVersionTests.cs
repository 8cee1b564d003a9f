using OneStopPi.Agent.Upgrade;

namespace OneStopPi.Agent.Tests.Upgrade;

public sealed class DebianVersionTests
{
    // Orders as `dpkg --compare-versions` gives them (checked by hand on Debian 12).
    [TestCase("0.1.0", "0.2.0", -1)]
    [TestCase("0.10.0", "0.9.0", 1)]
    [TestCase("1.0", "1.0", 0)]
    [TestCase("1.0~rc1", "1.0", -1)]
    [TestCase("1.0", "1.0+build1", -1)]
    [TestCase("1.0-1", "1.0-2", -1)]
    [TestCase("1:0.1", "2.0", 1)]
    [TestCase("1.0a", "1.0", 1)]
    [TestCase("1.0.01", "1.0.1", 0)]
    public void Orders_as_dpkg_does(string left, string right, int expected)
    {
        Assert.That(Math.Sign(DebianVersion.Compare(left, right)), Is.EqualTo(expected));
        Assert.That(Math.Sign(DebianVersion.Compare(right, left)), Is.EqualTo(-expected));
    }

    [TestCase("0.2.0", true)]
    [TestCase("1:2.0-3", true)]
    [TestCase("v1.0", false)]
    [TestCase("1.0 ; rm", false)]
    [TestCase("", false)]
    public void Accepts_only_debian_versions(string version, bool valid) => Assert.That(DebianVersion.IsValid(version), Is.EqualTo(valid));
}
