using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Api;

/// <summary>Supply forecasts in the operator API: every supply of every site (or one), soonest run-out first, as JSON or CSV.</summary>
internal static class ForecastEndpoints
{
    public static void MapSupplyForecasts(this RouteGroupBuilder api)
    {
        api.MapGet("/supplies", ListSuppliesAsync).WithName("ListSupplies");
        api.MapGet("/supplies.csv", ExportSuppliesAsync).WithName("ExportSupplies").Produces<string>(200, "text/csv");
        api.MapGet("/sites/{siteId:int}/supplies.csv", (int siteId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken) =>
            ExportSuppliesAsync(siteId, db, queries, cancellationToken)).WithName("ExportSiteSupplies").Produces<string>(200, "text/csv");
    }

    private static async Task<IResult> ListSuppliesAsync(int? siteId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken) =>
        await MissingSiteAsync(siteId, db, cancellationToken).ConfigureAwait(false)
        ?? TypedResults.Ok(await queries.SuppliesAsync(siteId, cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> ExportSuppliesAsync(int? siteId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken) =>
        await MissingSiteAsync(siteId, db, cancellationToken).ConfigureAwait(false)
        ?? TypedResults.Text(await queries.SuppliesCsvAsync(siteId, cancellationToken).ConfigureAwait(false), "text/csv; charset=utf-8");

    private static async Task<IResult?> MissingSiteAsync(int? siteId, PortalDbContext db, CancellationToken cancellationToken) =>
        siteId is { } id && !await db.Sites.AnyAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false) ? Problems.NotFound($"no site {id}") : null;
}
