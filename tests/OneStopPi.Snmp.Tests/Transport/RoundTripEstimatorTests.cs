using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Transport;

[TestFixture]
public sealed class RoundTripEstimatorTests
{
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Cap = TimeSpan.FromMilliseconds(1500);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Test]
    public void Before_any_measurement_the_first_timeout_is_the_initial_one_within_the_cap()
    {
        var estimator = new RoundTripEstimator(Floor, initial: Ms(500));
        Assert.That(estimator.FirstTimeout(Cap), Is.EqualTo(Ms(500)));
        Assert.That(estimator.FirstTimeout(Ms(300)), Is.EqualTo(Ms(300)));
    }

    [Test]
    public void A_fast_agent_gets_the_floor_and_a_slow_one_its_round_trip_with_margin()
    {
        var fast = new RoundTripEstimator(Floor);
        fast.Measured(Ms(2));
        Assert.That(fast.FirstTimeout(Cap), Is.EqualTo(Floor));

        var slow = new RoundTripEstimator(Floor);
        for (int i = 0; i < 20; i++)
        {
            slow.Measured(Ms(400));
        }

        Assert.That(slow.FirstTimeout(Cap), Is.InRange(Ms(400), Ms(500)));
    }

    [Test]
    public void Each_retransmission_doubles_the_timeout_up_to_the_cap()
    {
        var estimator = new RoundTripEstimator(Floor);
        Assert.That(estimator.NextTimeout(Ms(200), Cap), Is.EqualTo(Ms(400)));
        Assert.That(estimator.NextTimeout(Ms(1000), Cap), Is.EqualTo(Cap));
    }

    [Test]
    public void One_answer_after_a_resend_is_loss_three_in_a_row_keep_the_backed_off_timeout_until_a_clean_measurement()
    {
        var estimator = new RoundTripEstimator(Floor);
        estimator.Measured(Ms(5));
        estimator.AnsweredAfterResend(Ms(800));
        Assert.That(estimator.FirstTimeout(Cap), Is.EqualTo(Floor), "one resend is loss, not slowness");
        estimator.AnsweredAfterResend(Ms(800));
        estimator.AnsweredAfterResend(Ms(800));
        Assert.That(estimator.FirstTimeout(Cap), Is.EqualTo(Ms(800)), "three in a row: the agent is slower than measured");
        estimator.Measured(Ms(5));
        Assert.That(estimator.FirstTimeout(Cap), Is.EqualTo(Floor));
    }

    [Test]
    public void A_device_not_yet_measured_starts_from_what_the_network_measured_and_teaches_it()
    {
        var network = new RoundTripEstimator(Floor, initial: Ms(500));
        var first = new RoundTripEstimator(Floor, network, Ms(500));
        var second = new RoundTripEstimator(Floor, network, Ms(500));
        Assert.That(second.FirstTimeout(Cap), Is.EqualTo(Ms(500)));
        first.Measured(Ms(3));
        Assert.Multiple(() =>
        {
            Assert.That(network.Samples, Is.EqualTo(1));
            Assert.That(second.FirstTimeout(Cap), Is.EqualTo(Floor));
        });
    }
}
