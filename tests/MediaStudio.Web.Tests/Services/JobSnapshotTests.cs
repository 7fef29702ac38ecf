using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Web.Services;

namespace MediaStudio.Web.Tests.Services;

public sealed class JobSnapshotTests
{
    [Fact]
    public void Images_OutputsWithPreviewsAndOtherFiles_KeepsOnlyResultImagesInOrder()
    {
        var preview = Asset("preview-3", "image/png");
        var job = new JobRecord { Kind = "text-to-image", OwnerId = "local", SpecJson = "{}", PreviewAssetId = preview.Id };
        AssetRecord[] outputs = [Asset("image-0", "image/png"), Asset("preview", "image/png"), preview, Asset("archive", "application/zip"), Asset("image-1", "image/png")];

        var images = new JobSnapshot(job, null, outputs).Images;

        Assert.Equal(["image-0", "image-1"], images.Select(a => a.Slot));
    }

    private static AssetRecord Asset(string slot, string mediaType) =>
        new() { Id = Guid.NewGuid(), OwnerId = "local", MediaType = mediaType, Sha256 = new string('a', 64), Slot = slot };
}
