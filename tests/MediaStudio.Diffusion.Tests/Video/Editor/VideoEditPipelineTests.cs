using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Media.Images;

namespace MediaStudio.Diffusion.Tests.Video.Editor;

[Collection(NativeTestGroup.Name)]
public sealed class VideoEditPipelineTests
{
    private static readonly RgbImage Reference = new(20, 20, [.. Enumerable.Range(0, 20 * 20 * 3).Select(i => (byte)(i % 3 == 2 ? 200 : 30))]);

    [Fact]
    public void EditWithMasks_ChunkedWithoutCrossFrameModules_EqualsUnchunked()
    {
        using var pipeline = new VideoEditPipeline(VideoEditFixtures.Editor(21));
        var (frames, masks) = VideoEditFixtures.Frames(7, 24, 20);
        var request = new VideoEditRequest(frames, masks[0], Reference, Steps: 3, Guidance: 2f, Seed: 5, ChunkFrames: 8, ChunkOverlap: 0);

        var whole = pipeline.EditWithMasks(request, masks, null, CancellationToken.None);
        var chunked = pipeline.EditWithMasks(request with { ChunkFrames = 3, ChunkOverlap = 1 }, masks, null, CancellationToken.None);

        // every frame is denoised from the same shared noise whatever chunk it falls in; only float summation order differs
        for (var f = 0; f < frames.Count; f++)
        {
            var maxDiff = whole[f].Pixels.Zip(chunked[f].Pixels, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= 1, $"frame {f} differs by {maxDiff} levels");
        }
    }

    [Fact]
    public void BoundingBoxes_LShapeAndEmptyMask_FillTheBoxAndStayEmpty()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var data = new float[2 * 8 * 8];
        for (var i = 1; i <= 5; i++)
        {
            data[(2 * 8) + i] = 1;                                         // row 2, columns 1-5
            data[((i + 1) * 8) + 1] = 1;                                   // column 1, rows 2-6
        }

        var boxes = VideoTensors.BoundingBoxes(TorchSharp.torch.tensor(data, [2, 1, 8, 8]));

        var box = boxes[0, 0].data<float>().ToArray();
        Assert.All(Enumerable.Range(0, 64), i => Assert.Equal(i / 8 is >= 2 and <= 6 && i % 8 is >= 1 and <= 5 ? 1f : 0f, box[i]));
        Assert.Equal(0f, boxes[1].sum().item<float>());
    }

    [Fact]
    public void EditWithMasks_BoxShape_RepaintsTheBoxAndKeepsTheSourceOutsideIt()
    {
        using var pipeline = new VideoEditPipeline(VideoEditFixtures.Editor(24));
        var (frames, squares) = VideoEditFixtures.Frames(2, 24, 20);
        // a triangle (the square's lower-left half), whose bounding box is the whole square
        IReadOnlyList<byte[]> masks = [.. squares.Select(m => m.Select((v, i) => (i % 24) - (i / 24) <= 0 ? v : (byte)0).ToArray())];
        var request = new VideoEditRequest(frames, masks[0], Reference, Steps: 2, Seed: 1);

        var outline = pipeline.EditWithMasks(request with { MaskShape = EditMaskShape.Silhouette }, masks, null, CancellationToken.None);
        var box = pipeline.EditWithMasks(request, masks, null, CancellationToken.None);       // the box is the default

        static int Changed(RgbImage a, RgbImage b) => a.Pixels.Zip(b.Pixels).Count(p => p.First != p.Second);
        Assert.True(Changed(frames[0], box[0]) > Changed(frames[0], outline[0]), $"box {Changed(frames[0], box[0])}, outline {Changed(frames[0], outline[0])} changed bytes");
        Assert.Equal(frames[1].Pixels.AsSpan(frames[1].Offset(0, 19), 24 * 3).ToArray(), box[1].Pixels.AsSpan(box[1].Offset(0, 19), 24 * 3).ToArray());
        Assert.Throws<ArgumentException>(() => (request with { MaskShape = (EditMaskShape)7 }).Validate());
    }

    [Fact]
    public void EditWithMasks_PasteBack_KeepsSourceOutsideMaskAndReturnsInputSize()
    {
        using var pipeline = new VideoEditPipeline(VideoEditFixtures.Editor(22));
        var (frames, masks) = VideoEditFixtures.Frames(3, 24, 20);
        var request = new VideoEditRequest(frames, masks[0], Reference, Steps: 2, Seed: 1);

        var edited = pipeline.EditWithMasks(request, masks, null, CancellationToken.None);

        Assert.Equal(3, edited.Count);
        Assert.All(edited, e => Assert.Equal((24, 20), (e.Width, e.Height)));
        // pixels far from the mask (beyond the dilated, resized model mask) are the source bytes exactly
        Assert.Equal(frames[1].Pixels[frames[1].Offset(22, 1)], edited[1].Pixels[edited[1].Offset(22, 1)]);
        Assert.Equal(frames[2].Pixels.AsSpan(frames[2].Offset(0, 19), 24 * 3).ToArray(), edited[2].Pixels.AsSpan(edited[2].Offset(0, 19), 24 * 3).ToArray());
    }

    [Fact]
    public void Edit_ReportsEveryChunkAndStep_AndStopsWhenCancelled()
    {
        using var pipeline = new VideoEditPipeline(VideoEditFixtures.Editor(23));
        var (frames, masks) = VideoEditFixtures.Frames(5, 16, 16);
        var request = new VideoEditRequest(frames, masks[0], Reference, Steps: 2, ChunkFrames: 3, ChunkOverlap: 1);
        var reports = new List<VideoEditProgress>();

        pipeline.Edit(request, new SyncProgress(reports.Add), CancellationToken.None);

        var denoise = reports.Where(r => r.Stage == "denoise").Select(r => (r.Chunk, r.Step)).ToList();
        Assert.Equal([(1, 1), (1, 2), (2, 1), (2, 2)], denoise);
        Assert.Equal("done", reports[^1].Stage);

        using var cts = new CancellationTokenSource();
        var seen = 0;
        var cancelling = new SyncProgress(p =>
        {
            if (p.Stage == "denoise" && ++seen == 1)
            {
                cts.Cancel();
            }
        });
        Assert.Throws<OperationCanceledException>(() => pipeline.Edit(request, cancelling, cts.Token));
        Assert.Equal(1, seen); // the next step never ran
    }

    [Theory]
    [InlineData(5, 8, 2)]
    [InlineData(20, 8, 2)]
    [InlineData(9, 4, 1)]
    public void Chunks_CoverEveryFrame_WithTheOverlap(int n, int size, int overlap)
    {
        var chunks = VideoEditPipeline.Chunks(n, size, overlap);

        var covered = chunks.SelectMany(c => Enumerable.Range(c.Start, c.Count)).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, n), covered);
        Assert.All(chunks, c => Assert.Equal(Math.Min(n, size), c.Count));
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i - 1].Start + chunks[i - 1].Count - chunks[i].Start >= overlap);
        }
    }

    private sealed class SyncProgress(Action<VideoEditProgress> report) : IProgress<VideoEditProgress>
    {
        public void Report(VideoEditProgress value) => report(value);
    }
}
