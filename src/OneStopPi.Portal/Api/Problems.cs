using Microsoft.AspNetCore.Http;

namespace OneStopPi.Portal.Api;

/// <summary>RFC 9457 problem responses: a status, a short title and a sentence. Never a stack trace.</summary>
internal static class Problems
{
    public static IResult Of(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static IResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult NotFound(string detail) => Of(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Unauthorized(string detail) => Of(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Conflict(string detail) => Of(StatusCodes.Status409Conflict, "Conflict", detail);
}
