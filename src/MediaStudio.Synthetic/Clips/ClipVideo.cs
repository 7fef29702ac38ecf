using MediaStudio.Media.Images;
using MediaStudio.Media.Video;

namespace MediaStudio.Synthetic.Clips;

/// <summary>Writes a clip (and its ground-truth edit) to mp4 through the Media codec and reads clips back.</summary>
public static class ClipVideo
{
    /// <summary>Gets the frame rate clips are written at.</summary>
    public const double FrameRate = 8;

    /// <summary>Writes <c>clip.mp4</c>, <c>edit.mp4</c> (H.264 4:4:4) and <c>reference.png</c> into a folder and returns the clip's path.</summary>
    public static async Task<string> WriteAsync(Clip clip, string folder, VideoCodec video, SafeImageCodec images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(images);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "clip.mp4");
        await video.EncodeMp4Async(clip.Frames, path, FrameRate, cancellationToken, fullChroma: true);
        await video.EncodeMp4Async(clip.Edit.Frames, Path.Combine(folder, "edit.mp4"), FrameRate, cancellationToken, fullChroma: true);
        images.SavePng(clip.Edit.Reference, Path.Combine(folder, "reference.png"));
        return path;
    }

    /// <summary>Reads the frames of an mp4 back.</summary>
    public static Task<IReadOnlyList<RgbImage>> ReadAsync(string path, VideoCodec video, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        return video.DecodeAsync(path, cancellationToken);
    }
}
