using OneStopPi.Agent.Hosting;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>ONESTOPPI_TIMINGS, the knob that lets the service tests wait seconds instead of minutes.</summary>
public sealed class AgentTimingsTests
{
    [Test]
    public void Without_the_variable_the_product_intervals_apply()
    {
        AgentTimings timings = AgentTimings.FromEnvironment(_ => null);

        Assert.That(timings, Is.EqualTo(new AgentTimings()));
        Assert.Multiple(() =>
        {
            Assert.That(timings.SyncTick, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(timings.SchedulerTick, Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(timings.Heartbeat, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(timings.ConfigRefresh, Is.EqualTo(TimeSpan.FromMinutes(15)));
            Assert.That(timings.UnassignedConfigRefresh, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(timings.UploadRetryFloor, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(timings.UploadRetryCap, Is.EqualTo(TimeSpan.FromMinutes(30)));
            Assert.That(timings.RefindInterval, Is.EqualTo(TimeSpan.FromHours(1)));
        });
    }

    [Test]
    public void Named_intervals_in_seconds_override_the_defaults()
    {
        AgentTimings timings = AgentTimings.FromEnvironment(name => name == AgentTimings.EnvironmentVariable ? AgentHome.FastTimings : null);

        Assert.Multiple(() =>
        {
            Assert.That(timings.SyncTick, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(timings.SchedulerTick, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(timings.Heartbeat, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(timings.UnassignedConfigRefresh, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
            Assert.That(timings.UploadRetryCap, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(timings.RefindInterval, Is.EqualTo(TimeSpan.FromHours(1)), "not named: the product's");
        });
    }

    [Test]
    public void The_refind_interval_is_named_refind()
    {
        AgentTimings timings = AgentTimings.FromEnvironment(name => name == AgentTimings.EnvironmentVariable ? "refind=90" : null);

        Assert.That(timings, Is.EqualTo(new AgentTimings { RefindInterval = TimeSpan.FromSeconds(90) }));
    }

    [TestCase("sync")]
    [TestCase("sync=0")]
    [TestCase("sync=-1")]
    [TestCase("sync=soon")]
    [TestCase("nap=1")]
    public void A_malformed_setting_is_refused_with_its_name(string setting)
    {
        var e = Assert.Throws<ArgumentException>(() => AgentTimings.FromEnvironment(_ => setting));
        Assert.That(e!.Message, Does.StartWith("ONESTOPPI_TIMINGS: "));
    }
}
