using System.Net;

namespace MediaStudio.Web.Tests.Endpoints;

[Collection(nameof(JobsApiTests))]
public sealed class ModelsApiTests(StudioServer server) : IClassFixture<StudioServer>
{
    [Fact]
    public async Task GetSamples_ExistingModel_ServesThePngWithNosniff()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 };
        Directory.CreateDirectory(Path.Combine(server.ModelsPath, "unet"));
        await File.WriteAllBytesAsync(Path.Combine(server.ModelsPath, "unet", "samples.png"), png, TestContext.Current.CancellationToken);

        using var response = await server.Http.GetAsync(new Uri("/api/models/unet/samples.png", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/api/models/..%2F..%2Fsecret/samples.png")]
    [InlineData("/api/models/%2E%2E/samples.png")]
    [InlineData("/api/models/..%5Csecret/samples.png")]
    [InlineData("/api/models/.hidden/samples.png")]
    [InlineData("/api/models/missing/samples.png")]
    [InlineData("/api/models/nosamples/samples.png")]
    public async Task GetSamples_TraversalOrUnknown_IsNotFound(string url)
    {
        // a samples.png outside the models folder, and one in a hidden folder, that the endpoint must never serve
        Directory.CreateDirectory(Path.Combine(server.DataPath, "secret"));
        await File.WriteAllTextAsync(Path.Combine(server.DataPath, "secret", "samples.png"), "secret", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(server.ModelsPath, ".hidden"));
        await File.WriteAllTextAsync(Path.Combine(server.ModelsPath, ".hidden", "samples.png"), "hidden", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(server.ModelsPath, "nosamples"));

        using var response = await server.Http.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(null)]
    public void SamplesPath_NotAPlainFolderName_IsNull(string? name)
    {
        var catalog = (MediaStudio.Web.Services.ModelCatalog)server.App.Services.GetService(typeof(MediaStudio.Web.Services.ModelCatalog))!;

        Assert.Null(catalog.SamplesPath(name));
    }
}
