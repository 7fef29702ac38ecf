using MediaStudio.Core.Assets;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Web.Endpoints;

/// <summary>REST endpoints for assets: metadata and content, always by id, never by a client-supplied path.</summary>
public static class AssetsApi
{
    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/api/assets").WithTags("Assets");
        assets.MapGet("/{id:guid}", GetAsync).WithName("GetAsset").WithSummary("An asset's metadata.");
        assets.MapGet("/{id:guid}/content", ContentAsync).WithName("GetAssetContent").WithSummary("An asset's bytes, as an attachment.");
        return app;
    }

    private static async Task<Results<Ok<AssetResponse>, NotFound>> GetAsync(Guid id, StudioDbContext db, CancellationToken cancellationToken)
    {
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.OwnerId == Owner.Local, cancellationToken);
        return asset is null ? TypedResults.NotFound() : TypedResults.Ok(AssetResponse.From(asset));
    }

    private static async Task<Results<FileStreamHttpResult, NotFound>> ContentAsync(
        Guid id, StudioDbContext db, IBlobStore blobs, HttpContext context, CancellationToken cancellationToken)
    {
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.OwnerId == Owner.Local, cancellationToken);
        if (asset is null || !blobs.Exists(asset.Sha256))
        {
            return TypedResults.NotFound();
        }

        // never let a browser sniff an upload into HTML or script
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var name = string.IsNullOrWhiteSpace(asset.FileName) ? asset.Id.ToString("N") : asset.FileName;
        return TypedResults.File(blobs.OpenRead(asset.Sha256), asset.MediaType, name, enableRangeProcessing: true);
    }
}
