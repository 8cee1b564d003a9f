namespace OneStopPi.Portal.Readings;

/// <summary>An upload the portal refuses: the status (4xx) and a sentence the agent's log can show.</summary>
internal sealed class UploadRejectedException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
}
