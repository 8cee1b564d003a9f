namespace OneStopPi.Agent.Scheduling;

/// <summary>Runs one scan of the pipeline (discovery → collection → reading → outbox).</summary>
public interface IScanPipeline
{
    Task<ScanOutcome> RunAsync(ScanJob job, Configuration.SitePlan plan, CancellationToken cancellationToken);
}
