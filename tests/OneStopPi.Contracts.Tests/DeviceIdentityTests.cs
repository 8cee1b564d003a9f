namespace OneStopPi.Contracts.Tests;

public sealed class DeviceIdentityTests
{
    [Test]
    public void A_serial_read_in_another_case_or_with_blanks_is_the_same_device() =>
        Assert.That(DeviceIdentity.Key(" Ricoh", "w123abc ", null, "10.0.0.5"), Is.EqualTo(DeviceIdentity.Key("RICOH", "W123ABC", "aa:bb:cc:dd:ee:ff", "10.0.0.9")));

    [TestCase("HP", "CNB1234", "00:1B:A9:0B:A7:52", "10.0.0.5", "serial:HP:CNB1234")]
    [TestCase(null, "CNB1234", null, "10.0.0.5", "serial:?:CNB1234")]
    [TestCase(" ", "CNB1234", null, "10.0.0.5", "serial:?:CNB1234")]
    [TestCase("HP", " ", "00:1B:A9:0B:A7:52", "10.0.0.5", "mac:00:1b:a9:0b:a7:52")]
    [TestCase("HP", null, "00:00:00:00:00:00", "10.0.0.5", "ip:10.0.0.5")]
    [TestCase(null, null, null, "10.0.0.5", "ip:10.0.0.5")]
    public void The_key_is_serial_then_mac_then_address(string? vendor, string? serial, string? mac, string ip, string key) =>
        Assert.That(DeviceIdentity.Key(vendor, serial, mac, ip), Is.EqualTo(key));

    [Test]
    public void Its_parts_are_the_key_s_parts()
    {
        Assert.That(DeviceIdentity.SerialKey("Kyocera", "lv91x00123"), Is.EqualTo("KYOCERA:LV91X00123"));
        Assert.That(DeviceIdentity.SerialKey("Kyocera", null), Is.Null);
        Assert.That(DeviceIdentity.MacKey(" 00:1B:A9:0B:A7:52 "), Is.EqualTo("00:1b:a9:0b:a7:52"));
        Assert.That(DeviceIdentity.MacKey("00:00:00:00:00:00"), Is.Null);
    }
}
