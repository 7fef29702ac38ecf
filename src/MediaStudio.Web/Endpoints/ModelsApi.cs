using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaStudio.Web.Endpoints;

/// <summary>Serves a bundled model's sample grid: only <c>models/&lt;name&gt;/samples.png</c> for a name that is an existing
/// folder, never any other path.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/models").WithTags("Models")
            .MapGet("/{name}/samples.png", GetSamples).WithName("GetModelSamples").WithSummary("A bundled model's sample grid (PNG).");
        return app;
    }

    private static Results<PhysicalFileHttpResult, NotFound> GetSamples(string name, ModelCatalog catalog, HttpContext context)
    {
        if (catalog.SamplesPath(name) is not { } path)
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.PhysicalFile(path, "image/png");
    }
}
