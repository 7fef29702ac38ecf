using Bunit;
using MediaStudio.Web.Components.Pages.Models;
using MediaStudio.Web.Tests.Endpoints;

namespace MediaStudio.Web.Tests.Components.Pages.Models;

[Collection(nameof(JobsApiTests))]
public sealed class ModelsPageTests : BunitContext, IClassFixture<StudioServer>
{
    private readonly string _models = Directory.CreateTempSubdirectory("mediastudio-models-page-").FullName;

    public ModelsPageTests(StudioServer server) => this.UseStudio(server, _models);

    [Fact]
    public void Render_NoModels_SaysSo()
    {
        var page = Render<ModelsPage>();

        Assert.Single(page.FindAll("[data-testid=models-empty]"));
    }

    [Fact]
    public void Render_ModelFolders_ShowCardChartAndSamplesButNotNegativesOrStrayFolders()
    {
        Write("recognizer", "CARD.md", "# recognizer\n\n## Measured\n\n| attribute | accuracy |\n| --- | --- |\n| color | 99.00% |\n| shape | 95.12% |\n\nA <script>alert(1)</script> card.\n");
        Write("recognizer", "samples.png", "png");
        Write("clip", "config.json", "{}");
        Write("negatives", "CARD.md", "# not a model");
        Directory.CreateDirectory(Path.Combine(_models, "scratch"));

        var page = Render<ModelsPage>();

        Assert.Equal(["clip", "recognizer"], page.FindAll("[data-testid=model-name]").Select(e => e.TextContent));
        var recognizer = page.FindAll("[data-testid=model-card]")[1];
        Assert.Single(recognizer.QuerySelectorAll("[data-testid=model-chart]"));
        Assert.Contains("Measured", recognizer.QuerySelector("[data-testid=model-chart]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/api/models/recognizer/samples.png", recognizer.QuerySelector("[data-testid=model-samples]")!.GetAttribute("src"));
        Assert.Empty(recognizer.QuerySelectorAll("script"));
        Assert.Contains("A <script>alert(1)</script> card.", recognizer.QuerySelector("[data-testid=model-card-text]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=model-card]")[0].QuerySelectorAll("[data-testid=model-samples]"));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Directory.Delete(_models, recursive: true);
    }

    private void Write(string model, string file, string text)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_models, model)).FullName;
        File.WriteAllText(Path.Combine(folder, file), text);
    }
}
