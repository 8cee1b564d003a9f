using System.Threading.RateLimiting;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// Requests per client address and minute: generous for everything (the page refreshes every 30 s), a cap on floods;
/// few for the changing endpoints, keyed or not (the setup key is 80 bits; this keeps guessing slow). No queue: over
/// the limit is answered 429 at once.
/// </summary>
internal sealed class LanRateLimits : IDisposable
{
    public const int AllPerMinute = 120;
    public const int SetupPerMinute = 10;

    private readonly PartitionedRateLimiter<string> _all = PerAddress(AllPerMinute);
    private readonly PartitionedRateLimiter<string> _setup = PerAddress(SetupPerMinute);

    /// <summary>Takes a permit from the address's budget for any request, and from its setup budget for a changing one.</summary>
    public bool TryAdmit(string remote, bool setup)
    {
        using RateLimitLease all = _all.AttemptAcquire(remote);
        if (!all.IsAcquired)
        {
            return false;
        }

        if (!setup)
        {
            return true;
        }

        using RateLimitLease changing = _setup.AttemptAcquire(remote);
        return changing.IsAcquired;
    }

    public void Dispose()
    {
        _all.Dispose();
        _setup.Dispose();
    }

    private static PartitionedRateLimiter<string> PerAddress(int permits) => PartitionedRateLimiter.Create<string, string>(remote =>
        RateLimitPartition.GetFixedWindowLimiter(remote, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
}
