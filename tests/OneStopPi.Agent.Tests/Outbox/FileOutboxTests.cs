using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Outbox;

namespace OneStopPi.Agent.Tests.Outbox;

public sealed class FileOutboxTests
{
    private string _directory = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("osp-outbox-").FullName;
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private FileOutbox Open(OutboxLimits? limits = null) => new(_directory, limits ?? new OutboxLimits(), _time, NullLogger<FileOutbox>.Instance);

    [Test]
    public async Task Batches_survive_a_restart_in_order()
    {
        FileOutbox outbox = Open();
        await outbox.AppendAsync(OutboxItemKind.Meter, "batch-a", new byte[] { 1, 2, 3 });
        await outbox.AppendAsync(OutboxItemKind.Status, "batch-b", new byte[] { 4 });

        FileOutbox reopened = Open();

        Assert.That(reopened.Snapshot().Select(i => (i.Kind, i.Key)), Is.EqualTo(new[] { (OutboxItemKind.Meter, "batch-a"), (OutboxItemKind.Status, "batch-b") }));
        Assert.That(File.ReadAllBytes(reopened.PeekOldest()!.Path), Is.EqualTo(new byte[] { 1, 2, 3 }));
        OutboxItem next = await reopened.AppendAsync(OutboxItemKind.Status, "batch-c", new byte[] { 5 });
        Assert.That(next.Sequence, Is.GreaterThan(reopened.Snapshot()[1].Sequence));
    }

    [Test]
    public async Task A_batch_leaves_only_when_removed()
    {
        FileOutbox outbox = Open();
        OutboxItem item = await outbox.AppendAsync(OutboxItemKind.Meter, "k1", new byte[] { 9 });

        outbox.Remove(item);

        Assert.That(outbox.Count, Is.Zero);
        Assert.That(Open().Count, Is.Zero);
    }

    [Test]
    public async Task Files_are_private_to_the_service_user()
    {
        OutboxItem item = await Open().AppendAsync(OutboxItemKind.Meter, "secret", new byte[] { 1 });

        Assert.That(File.GetUnixFileMode(item.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task Leftovers_of_an_interrupted_write_are_removed_and_not_queued()
    {
        await Open().AppendAsync(OutboxItemKind.Meter, "good", new byte[] { 1 });
        File.WriteAllBytes(Path.Combine(_directory, ".000000000000009.meter.torn.zip.abc.tmp"), new byte[] { 1, 2 });
        File.WriteAllText(Path.Combine(_directory, "notes.zip"), "not ours");

        FileOutbox reopened = Open();

        Assert.That(reopened.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "good" }));
        Assert.That(Directory.GetFiles(_directory, "*.tmp"), Is.Empty);
    }

    [Test]
    public async Task Over_the_size_bound_status_batches_go_before_meter_batches()
    {
        FileOutbox outbox = Open(new OutboxLimits { MaxBytes = 300 });
        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-1", new byte[100]);
        await outbox.AppendAsync(OutboxItemKind.Status, "status-1", new byte[100]);
        await outbox.AppendAsync(OutboxItemKind.Status, "status-2", new byte[100]);

        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-2", new byte[100]);
        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-3", new byte[100]);

        Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-1", "meter-2", "meter-3" }));
        Assert.That(outbox.Dropped, Is.EqualTo(2));

        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-4", new byte[100]);
        Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-2", "meter-3", "meter-4" }), "meter batches go last, oldest first");
    }

    [Test]
    public async Task Batches_older_than_the_age_bound_are_dropped()
    {
        FileOutbox outbox = Open(new OutboxLimits { MaxAge = TimeSpan.FromDays(30) });
        await outbox.AppendAsync(OutboxItemKind.Meter, "old", new byte[] { 1 });
        _time.Advance(TimeSpan.FromDays(31));

        await outbox.AppendAsync(OutboxItemKind.Meter, "new", new byte[] { 2 });

        Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "new" }));
        Assert.That(outbox.Dropped, Is.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("../escape")]
    [TestCase("a.b")]
    public void Keys_that_could_leave_the_directory_or_break_the_name_are_refused(string key)
    {
        Assert.ThrowsAsync<ArgumentException>(() => Open().AppendAsync(OutboxItemKind.Meter, key, new byte[] { 1 }));
    }
}
