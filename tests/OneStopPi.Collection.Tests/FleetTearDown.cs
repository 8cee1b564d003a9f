using OneStopPi.Collection.Tests.Support;

namespace OneStopPi.Collection.Tests;

/// <summary>Stops the shared snmpsim fleets after every test of the assembly has run.</summary>
[SetUpFixture]
public sealed class FleetTearDown
{
    [OneTimeTearDown]
    public Task StopFleets() => Fleets.StopAllAsync();
}
