using System.Net;

namespace OneStopPi.Agent.Portal;

/// <summary>The portal could not be reached or failed (network, TLS, 5xx, 429): try again later.</summary>
public sealed class PortalUnavailableException : Exception
{
    public PortalUnavailableException(string message, Exception? inner = null) : base(message, inner) { }

    public PortalUnavailableException() { }

    public PortalUnavailableException(string message) : base(message) { }
}

/// <summary>The portal refused the request (4xx): retrying the same request will not help.</summary>
public sealed class PortalRejectedException : Exception
{
    public PortalRejectedException(HttpStatusCode status, string message) : base(message) => Status = status;

    public PortalRejectedException() { }

    public PortalRejectedException(string message) : base(message) { }

    public PortalRejectedException(string message, Exception innerException) : base(message, innerException) { }

    public HttpStatusCode Status { get; }

    /// <summary>The token is no longer valid (the agent was removed or re-enrolled elsewhere).</summary>
    public bool IsAuthentication => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}
