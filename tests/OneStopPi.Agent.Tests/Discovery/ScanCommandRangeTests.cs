using OneStopPi.Agent.Tests.Cli;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Discovery;

/// <summary><c>onestoppi scan</c> refuses ranges it must not sweep, with one line and exit code 2 (nothing is sent).</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class ScanCommandRangeTests
{
    [TestCase(new[] { "10.0.0.0/8", "--discover-only" }, "wider than the 65536 allowed")]
    [TestCase(new[] { "10.0.0.0/16", "10.1.0.0/16", "--discover-only" }, "in all is more than")]
    [TestCase(new[] { "10.0.0.1/24", "--discover-only" }, "host bits set; the block is 10.0.0.0/24")]
    [TestCase(new[] { "10.0.0.9-10.0.0.1", "--discover-only" }, "ends before it starts")]
    [TestCase(new[] { "2001:db8::/64", "--discover-only" }, "IPv6 blocks cannot be swept")]
    [TestCase(new[] { "10.0.0.0/30", "--exclude", "10.0.0.0/24" }, "nothing left to scan")]
    [TestCase(new[] { "10.0.0.0/24", "--exclude", "10.0.0.0/33", "--discover-only" }, "not a CIDR block")]
    public async Task Refused_with_usage_error(string[] arguments, string message)
    {
        ProcessResult result = await Onestoppi.RunAsync(["scan", .. arguments]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.StandardError, Does.Contain(message));
            Assert.That(result.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
            Assert.That(result.StandardOutput, Is.Empty);
        });
    }

    [Test]
    public async Task Wide_range_names_the_option_that_allows_it()
    {
        ProcessResult result = await Onestoppi.RunAsync("scan", "10.0.0.0/15", "--discover-only");
        Assert.That(result.StandardError, Does.Contain("--allow-wide"));
    }
}
