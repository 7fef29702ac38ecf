using Bunit;
using MediaStudio.Jobs.Models;
using MediaStudio.Web.Services;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Pages;

/// <summary>Gives a bUnit context the page services of a real running studio (database, blobs, queue).</summary>
internal static class PageHost
{
    public static void UseStudio(this BunitContext context, StudioServer server, string? modelsPath = null)
    {
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var services = server.App.Services;
        context.Services.AddSingleton(services.GetRequiredService<JobBoard>());
        context.Services.AddSingleton(services.GetRequiredService<AssetLibrary>());
        var models = Microsoft.Extensions.Options.Options.Create(new ModelRegistryOptions { Path = modelsPath ?? server.DataPath });
        context.Services.AddSingleton(new NegativeEmbeddingCatalog(models));
        context.Services.AddSingleton(new ModelCatalog(models));
        context.Services.AddSingleton(TimeProvider.System);
        context.Render<MudPopoverProvider>();
    }
}
