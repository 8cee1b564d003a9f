using System.Net;

namespace OneStopPi.Contracts.Tests;

public sealed class WalkTargetTests
{
    [TestCase("10.1.0.7", "10.1.0.7:161", "1.3.6.1")]
    [TestCase("10.1.0.7:1161", "10.1.0.7:1161", "1.3.6.1")]
    [TestCase("  10.1.0.7   1.3.6.1.2.1.43 ", "10.1.0.7:161", "1.3.6.1.2.1.43")]
    [TestCase("10.1.0.7:1161 1.3.6.1.2.1.43", "10.1.0.7:1161", "1.3.6.1.2.1.43")]
    [TestCase("fd00::5", "[fd00::5]:161", "1.3.6.1")]
    [TestCase("[fd00::5]:1161 1.3", "[fd00::5]:1161", "1.3")]
    public void Accepts_an_address_with_an_optional_port_and_start(string parameter, string endPoint, string start)
    {
        Assert.That(WalkTarget.TryParse(parameter, out WalkTarget? target, out string? error), Is.True, error);
        Assert.That((target!.EndPoint.ToString(), target.StartOid), Is.EqualTo((endPoint, start)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("printer.local")]
    [TestCase("10.1.0.7:")]
    [TestCase("10.1.0.7:70000")]
    [TestCase("10.1.0.7 1.3.6.1 extra")]
    [TestCase("10.1.0.7 1")]
    [TestCase("10.1.0.7 3.6.1")]
    [TestCase("10.1.0.7 1.3..6")]
    [TestCase("10.1.0.7 1.3.6.99999999999")]
    [TestCase("10.1.0.7 iso.org")]
    public void Refuses_anything_else_with_a_sentence(string? parameter)
    {
        Assert.That(WalkTarget.TryParse(parameter, out WalkTarget? target, out string? error), Is.False);
        Assert.That((target, error), Is.EqualTo(((WalkTarget?)null, error)));
        Assert.That(error, Does.StartWith("walk-mib"));
    }

    [Test]
    public void Its_text_parses_back_to_the_same_target()
    {
        var target = new WalkTarget(new IPEndPoint(IPAddress.Parse("10.2.0.9"), 1161), "1.3.6.1.2.1.43");
        Assert.That(WalkTarget.TryParse(target.ToString(), out WalkTarget? again, out _), Is.True);
        Assert.That(again, Is.EqualTo(target));
    }
}
