using MediaStudio.Core.Assets;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Media.Images;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace MediaStudio.Web.Endpoints;

/// <summary>REST endpoints for assets: upload an image, read metadata and content, always by id, never by a client-supplied path.</summary>
public static class AssetsApi
{
    // multipart framing around the file: boundaries and part headers
    private const long MultipartOverhead = 64 * 1024;

    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder app)
    {
        var limit = app.ServiceProvider.GetRequiredService<ImageInspector>().Options.MaxBytes;
        var assets = app.MapGroup("/api/assets").WithTags("Assets");
        assets.MapPost("/", UploadAsync).WithName("UploadAsset")
            .WithSummary("Upload an image (multipart/form-data, one file part): PNG, JPEG, WebP or GIF (first frame), within the byte and pixel limits.")
            .Accepts<IFormFile>("multipart/form-data")
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(limit + MultipartOverhead));
        assets.MapGet("/{id:guid}", GetAsync).WithName("GetAsset").WithSummary("An asset's metadata.");
        assets.MapGet("/{id:guid}/content", ContentAsync).WithName("GetAssetContent")
            .WithSummary("An asset's bytes, as an attachment; strip=true removes a PNG's text (settings), EXIF and time chunks.");
        return app;
    }

    // streamed: the multipart body is read part by part straight into a temporary file, never buffered whole
    private static async Task<Results<Created<AssetResponse>, ProblemHttpResult>> UploadAsync(
        HttpRequest request, AssetLibrary library, CancellationToken cancellationToken)
    {
        var limit = library.Inspector.Options.MaxBytes;
        if (request.ContentLength > limit + MultipartOverhead)
        {
            return TooLarge($"too large: {request.ContentLength / (double)(1 << 20):0.#} MB, limit {library.Inspector.ByteLimitText}");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return BadRequest("send the image as multipart/form-data with one file part");
        }

        var reader = new MultipartReader(boundary, request.Body);
        try
        {
            for (var section = await reader.ReadNextSectionAsync(cancellationToken); section is not null; section = await reader.ReadNextSectionAsync(cancellationToken))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                {
                    continue;
                }

                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                var asset = await library.UploadImageAsync(section.Body, fileName, cancellationToken);
                return TypedResults.Created($"/api/assets/{asset.Id}", AssetResponse.From(asset));
            }
        }
        catch (ImageRejectedException e)
        {
            return e.Rejection == ImageRejection.TooLarge ? TooLarge(e.Message) : BadRequest(e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            // a malformed multipart body, or Kestrel's own size limit
            return e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                ? TooLarge($"too large: limit {library.Inspector.ByteLimitText}")
                : BadRequest($"the upload is malformed: {e.Message}");
        }

        return BadRequest("the request has no file part");
    }

    private static async Task<Results<Ok<AssetResponse>, NotFound>> GetAsync(Guid id, StudioDbContext db, CancellationToken cancellationToken)
    {
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.OwnerId == Owner.Local, cancellationToken);
        return asset is null ? TypedResults.NotFound() : TypedResults.Ok(AssetResponse.From(asset));
    }

    private static async Task<Results<FileStreamHttpResult, NotFound>> ContentAsync(
        Guid id, bool? strip, AssetLibrary library, IBlobStore blobs, HttpContext context, CancellationToken cancellationToken)
    {
        var asset = await library.FindAsync(id, cancellationToken);
        if (asset is null || !blobs.Exists(asset.Sha256))
        {
            return TypedResults.NotFound();
        }

        // never let a browser sniff an upload into HTML or script
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var name = string.IsNullOrWhiteSpace(asset.FileName) ? asset.Id.ToString("N") : asset.FileName;
        var content = await library.OpenContentAsync(asset, strip == true, cancellationToken);
        return TypedResults.File(content, asset.MediaType, name, enableRangeProcessing: true);
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The upload is too large.");

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The upload was refused.");
}
