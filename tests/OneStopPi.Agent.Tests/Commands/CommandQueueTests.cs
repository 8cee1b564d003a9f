using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Commands;

public sealed class CommandQueueTests
{
    private static readonly PortalSession Session = new(new Uri("https://portal.test/"), Guid.NewGuid(), "agent-token");

    private static PendingCommand Command(long id) => new(id, CommandType.SetLogMode, "debug", DateTime.UtcNow);

    private static List<CommandWork> Drain(CommandQueue queue)
    {
        var work = new List<CommandWork>();
        while (queue.Reader.TryRead(out CommandWork? item))
        {
            work.Add(item);
        }

        return work;
    }

    [Test]
    public void A_command_delivered_again_while_it_waits_or_after_it_ran_is_queued_once()
    {
        var queue = new CommandQueue();
        Assert.That(queue.Offer(Session, [Command(3), Command(2)]), Is.EqualTo(2));
        Assert.That(queue.Offer(Session, [Command(2), Command(3), Command(4)]), Is.EqualTo(1), "unacknowledged, the portal delivers them again");
        Assert.That(Drain(queue).Select(w => w.Command!.Id), Is.EqualTo(new[] { 2L, 3L, 4L }), "oldest first");
        Assert.That(queue.Offer(Session, [Command(3)]), Is.Zero);
    }

    [Test]
    public void A_command_released_after_a_failed_acknowledgement_is_queued_again()
    {
        var queue = new CommandQueue();
        queue.Offer(Session, [Command(5)]);
        Drain(queue);
        queue.Release(5);
        Assert.That(queue.Offer(Session, [Command(5)]), Is.EqualTo(1));
    }

    [Test]
    public void Reviews_are_coalesced_until_the_runner_takes_one_up()
    {
        var queue = new CommandQueue();
        queue.RequestReview(Session);
        queue.RequestReview(Session);
        Assert.That(Drain(queue).Count(w => w.Command is null), Is.EqualTo(1));
        queue.ReviewStarted();
        queue.RequestReview(Session);
        Assert.That(Drain(queue).Count(w => w.Command is null), Is.EqualTo(1));
    }
}
