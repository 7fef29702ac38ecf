using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;
using MediaStudio.Web.Endpoints;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Web.Tests.Endpoints;

// shares JobsApiTests' collection: Hangfire keeps process-wide state, so the hosts run one at a time
[Collection(nameof(JobsApiTests))]
public sealed class AssetsApiTests(StudioServer server) : IClassFixture<StudioServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_Png_StoresUploadServedByIdWithContentTypeAndNosniff()
    {
        var png = Png(24, 16, [new("parameters", "a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5")]);

        using var response = await UploadAsync(png, "cat.png", "image/png");
        var asset = (await response.Content.ReadFromJsonAsync<AssetResponse>(Json, Ct))!;
        using var content = await server.Http.GetAsync(new Uri($"/api/assets/{asset.Id}/content", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(("upload", "image/png", 24, 16, "cat.png"), (asset.Kind, asset.MediaType, asset.Width, asset.Height, asset.FileName));
        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(png, await content.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Content_StripTrue_RemovesTheSettingsButKeepsTheImage()
    {
        var png = Png(8, 8, [new("parameters", "secret prompt\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5"), new("mediastudio", "{}")]);
        using var response = await UploadAsync(png, "s.png", "image/png");
        var asset = (await response.Content.ReadFromJsonAsync<AssetResponse>(Json, Ct))!;

        var stripped = await server.Http.GetByteArrayAsync(new Uri($"/api/assets/{asset.Id}/content?strip=true", UriKind.Relative), Ct);
        var kept = await server.Http.GetByteArrayAsync(new Uri($"/api/assets/{asset.Id}/content", UriKind.Relative), Ct);

        Assert.Empty(PngTextChunks.Read(stripped));
        Assert.Equal(2, PngTextChunks.Read(kept).Count);
        Assert.Equal(8, new SafeImageCodec().Decode(stripped).Width);
    }

    [Theory]
    [InlineData("notes.txt", "not a supported image")]
    [InlineData("picture.bmp", "not a supported image")]
    [InlineData("scan.tiff", "not a supported image")]
    [InlineData("truncated.png", "damaged image")]
    public async Task Upload_RefusedBytes_Returns400WithReasonAndStoresNothing(string name, string reason)
    {
        var before = Snapshot();

        using var response = await UploadAsync(Bytes(name), name, "application/octet-stream");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Upload_HugeDimensionsInHeader_Returns413NamingSizeAndLimit()
    {
        var before = Snapshot();

        using var response = await UploadAsync(PngHeaderOnly(12000, 9000), "huge.png", "image/png");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too large: 12000×9000, limit 16 MP", problem.GetProperty("detail").GetString());
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Upload_NotMultipart_Returns415()
    {
        using var body = new ByteArrayContent(Png(4, 4, []));
        body.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        using var response = await server.Http.PostAsync(new Uri("/api/assets", UriKind.Relative), body, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheUploadAsMultipart()
    {
        using var doc = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct));

        var upload = doc.RootElement.GetProperty("paths").GetProperty("/api/assets").GetProperty("post");
        Assert.True(upload.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string name, string mediaType)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        form.Add(file, "file", name);
        return await server.Http.PostAsync(new Uri("/api/assets", UriKind.Relative), form, Ct);
    }

    // blobs on disk and asset rows: a refused upload must change neither
    private (int Blobs, int Rows) Snapshot()
    {
        var blobs = Path.Combine(server.DataPath, "blobs");
        var files = Directory.Exists(blobs) ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Count(f => !f.Contains("staging", StringComparison.Ordinal)) : 0;
        using var scope = server.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MediaStudio.Core.Persistence.StudioDbContext>();
        return (files, db.Assets.Count());
    }

    private static byte[] Bytes(string name) => name switch
    {
        "notes.txt" => "<html><script>alert(1)</script></html>"u8.ToArray(),
        "picture.bmp" => [0x42, 0x4D, 0x23, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0],
        "scan.tiff" => [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00],
        _ => Png(64, 64, [])[..200],
    };

    private static byte[] Png(int width, int height, KeyValuePair<string, string>[] texts)
    {
        var image = new RgbImage(width, height);
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)(i * 7);
        }

        using var png = new MemoryStream();
        PngTextChunks.EncodePng(image, png, texts);
        return png.ToArray();
    }

    // a PNG whose IHDR declares width x height, with a token IDAT
    private static byte[] PngHeaderOnly(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(stream, "IHDR", ihdr);
        Chunk(stream, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        stream.Write(four);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = 0xFFFFFFFFu;
        foreach (var b in typeBytes.Concat(data))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(four, ~crc);
        stream.Write(four);
    }
}
