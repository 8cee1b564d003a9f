namespace OneStopPi.Portal.Alerts;

/// <summary>One attempt to deliver an alert failed; the delivery is retried later (or given up after its last attempt).</summary>
internal sealed class DeliveryFailedException(string message, Exception? inner = null) : Exception(message, inner);
