namespace OneStopPi.Contracts;

/// <summary>PUT /batches/{batchId}: 201 stored, or 200 with Duplicate when the batch was stored before.</summary>
public sealed record BatchAccepted(string BatchId, bool Duplicate, int Documents, int Readings);

/// <summary>RFC 9457 problem details, as the portal sends them on 4xx/5xx.</summary>
public sealed record ProblemDetailsBody(string? Title, int? Status, string? Detail);
