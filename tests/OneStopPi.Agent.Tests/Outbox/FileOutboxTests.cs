using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Tests.Service;
using OneStopPi.TestSupport;

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
        OutboxItem next = (await reopened.AppendAsync(OutboxItemKind.Status, "batch-c", new byte[] { 5 }))!;
        Assert.That(next.Sequence, Is.GreaterThan(reopened.Snapshot()[1].Sequence));
    }

    [Test]
    public async Task A_batch_leaves_only_when_removed()
    {
        FileOutbox outbox = Open();
        OutboxItem item = (await outbox.AppendAsync(OutboxItemKind.Meter, "k1", new byte[] { 9 }))!;

        outbox.Remove(item);

        Assert.That(outbox.Count, Is.Zero);
        Assert.That(Open().Count, Is.Zero);
    }

    [Test]
    public async Task Files_are_private_to_the_service_user()
    {
        OutboxItem item = (await Open().AppendAsync(OutboxItemKind.Meter, "secret", new byte[] { 1 }))!;

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
    public async Task Over_the_budget_status_batches_go_first_then_new_status_is_not_queued_and_every_meter_batch_stays()
    {
        var log = new ListLogger<FileOutbox>();
        var outbox = new FileOutbox(_directory, new OutboxLimits { MaxBytes = 300 }, _time, log);
        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-1", new byte[100]);
        await outbox.AppendAsync(OutboxItemKind.Status, "status-1", new byte[100]);
        await outbox.AppendAsync(OutboxItemKind.Status, "status-2", new byte[100]);

        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-2", new byte[100]);
        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-3", new byte[100]);
        Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-1", "meter-2", "meter-3" }), "the oldest status batches went first");
        Assert.That(outbox.Dropped, Is.EqualTo(2));
        Assert.That(outbox.StatusPaused, Is.False);

        // The budget is full of meter batches: a meter batch still goes in, a status batch does not.
        OutboxItem? meter4 = await outbox.AppendAsync(OutboxItemKind.Meter, "meter-4", new byte[100]);
        OutboxItem? status3 = await outbox.AppendAsync(OutboxItemKind.Status, "status-3", new byte[100]);
        Assert.Multiple(() =>
        {
            Assert.That(meter4, Is.Not.Null);
            Assert.That(status3, Is.Null, "not queued");
            Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-1", "meter-2", "meter-3", "meter-4" }), "every meter batch is kept");
            Assert.That(outbox.StatusPaused, Is.True, "what the heartbeat and the status page report");
            Assert.That(outbox.Dropped, Is.EqualTo(3), "the status batch not queued is counted");
            Assert.That(log.WithId(2005).Count(), Is.EqualTo(1), "the pause is logged once");
            Assert.That(Directory.GetFiles(_directory, "*.zip"), Has.Length.EqualTo(4));
        });

        // The portal takes meter batches: room again, status readings are queued again.
        foreach (OutboxItem item in outbox.Snapshot().Take(3))
        {
            outbox.Remove(item);
        }

        Assert.That(outbox.StatusPaused, Is.False);
        Assert.That(await outbox.AppendAsync(OutboxItemKind.Status, "status-4", new byte[100]), Is.Not.Null);
        Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-4", "status-4" }));
    }

    [Test]
    public async Task A_batch_written_at_1970_survives_the_clock_being_set()
    {
        // A Pi without RTC boots at 1970 (or a stale date) and queues readings before NTP answers.
        var clock = new SteppableClock(DateTimeOffset.UnixEpoch.AddHours(1));
        var outbox = new FileOutbox(_directory, new OutboxLimits { MaxStatusAge = TimeSpan.FromDays(1) }, clock, NullLogger<FileOutbox>.Instance);
        await outbox.AppendAsync(OutboxItemKind.Meter, "meter-1970", new byte[] { 1 });
        await outbox.AppendAsync(OutboxItemKind.Status, "status-1970", new byte[] { 2 });
        foreach (string path in Directory.GetFiles(_directory, "*.zip"))
        {
            File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddHours(1));
        }

        // NTP sets the clock 56 years forward; a reboot finds the files dated 1970.
        clock.SetWallClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        await outbox.AppendAsync(OutboxItemKind.Status, "status-2026", new byte[] { 3 });
        var reopened = new FileOutbox(_directory, new OutboxLimits { MaxStatusAge = TimeSpan.FromDays(1) }, clock, NullLogger<FileOutbox>.Instance);
        await reopened.AppendAsync(OutboxItemKind.Meter, "meter-2026", new byte[] { 4 });

        Assert.That(reopened.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-1970", "status-1970", "status-2026", "meter-2026" }));
        Assert.That(outbox.Dropped + reopened.Dropped, Is.Zero);
    }

    [Test]
    public async Task Status_batches_age_out_on_the_monotonic_clock_and_meter_batches_never()
    {
        FileOutbox outbox = Open(new OutboxLimits { MaxStatusAge = TimeSpan.FromDays(30) });
        await outbox.AppendAsync(OutboxItemKind.Meter, "old-meter", new byte[] { 1 });
        await outbox.AppendAsync(OutboxItemKind.Status, "old-status", new byte[] { 2 });
        _time.Advance(TimeSpan.FromDays(31));

        await outbox.AppendAsync(OutboxItemKind.Meter, "new", new byte[] { 3 });

        Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "old-meter", "new" }));
        Assert.That(outbox.Dropped, Is.EqualTo(1));
    }

    [Test]
    public async Task A_malformed_batch_file_is_quarantined_with_an_error_and_never_queued()
    {
        await Open().AppendAsync(OutboxItemKind.Meter, "good", new byte[] { 1 });
        File.WriteAllBytes(Path.Combine(_directory, "0.commandresult.abc.zip"), [1]);
        File.WriteAllBytes(Path.Combine(_directory, "000000000000005.nosuchkind.k.zip"), [1]);
        var log = new ListLogger<FileOutbox>();

        var reopened = new FileOutbox(_directory, new OutboxLimits(), _time, log);

        Assert.Multiple(() =>
        {
            Assert.That(reopened.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "good" }));
            Assert.That(Directory.GetFiles(reopened.QuarantineDirectory).Select(Path.GetFileName),
                Is.EquivalentTo(new[] { "0.commandresult.abc.zip", "000000000000005.nosuchkind.k.zip" }));
            Assert.That(log.WithId(2002).Where(e => e.Level == LogLevel.Error).Select(e => e.Message), Has.Some.Contains("0.commandresult.abc.zip"));
        });
    }

    [Test]
    public async Task On_a_full_disk_status_batches_make_room_and_a_meter_batch_is_lost_only_when_nothing_else_is_left()
    {
        Prerequisite.RequireRoot("a small tmpfs is mounted to fill a real file system");
        string mount = Path.Combine(_directory, "small");
        Directory.CreateDirectory(mount);
        ProcessResult mounted = await ExternalProcess.RunAsync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount]);
        Assert.That(mounted.ExitCode, Is.Zero, mounted.ToString());

        try
        {
            var log = new ListLogger<FileOutbox>();
            var outbox = new FileOutbox(mount, new OutboxLimits(), _time, log);
            byte[] batch = new byte[12 * 1024];
            await outbox.AppendAsync(OutboxItemKind.Meter, "meter-1", batch);
            await outbox.AppendAsync(OutboxItemKind.Status, "status-1", batch);
            await outbox.AppendAsync(OutboxItemKind.Status, "status-2", batch);
            await outbox.AppendAsync(OutboxItemKind.Meter, "meter-2", batch);

            // 48 KiB of 64: the next meter batch needs a status batch gone, and the one after the other.
            await outbox.AppendAsync(OutboxItemKind.Meter, "meter-3", new byte[20 * 1024]);
            await outbox.AppendAsync(OutboxItemKind.Meter, "meter-4", new byte[16 * 1024]);
            Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-1", "meter-2", "meter-3", "meter-4" }));

            // Nothing but meter batches left: the new one cannot be stored, the stored ones stay.
            Assert.ThrowsAsync(Is.InstanceOf<IOException>(), () => outbox.AppendAsync(OutboxItemKind.Meter, "meter-5", new byte[40 * 1024]));
            Assert.Multiple(() =>
            {
                Assert.That(outbox.Snapshot().Select(i => i.Key), Is.EqualTo(new[] { "meter-1", "meter-2", "meter-3", "meter-4" }));
                Assert.That(outbox.Dropped, Is.EqualTo(3));
                Assert.That(log.WithId(2008).Single().Level, Is.EqualTo(LogLevel.Error));
            });
        }
        finally
        {
            await ExternalProcess.RunAsync("umount", [mount]);
        }
    }

    [TestCase("")]
    [TestCase("../escape")]
    [TestCase("a.b")]
    public void Keys_that_could_leave_the_directory_or_break_the_name_are_refused(string key)
    {
        Assert.ThrowsAsync<ArgumentException>(() => Open().AppendAsync(OutboxItemKind.Meter, key, new byte[] { 1 }));
    }
}
