using System.Text.Json;
using MediaStudio.Diffusion.Video.Pipelines;

namespace MediaStudio.Jobs.VideoEditing;

/// <summary>The spec of a <c>video-edit</c> job: replace the object marked on frame 1 through the clip, guided by a reference image.</summary>
/// <param name="VideoAssetId">The uploaded source video.</param>
/// <param name="MaskAssetId">A PNG of frame 1's size (any size is scaled): white (or any bright pixel) marks the object.</param>
/// <param name="ReferenceAssetId">The image whose appearance the edited object takes.</param>
/// <param name="Steps">Sampler steps per chunk.</param>
/// <param name="Guidance">Reference guidance scale; 1 turns the unconditional branch off.</param>
/// <param name="Seed">Noise seed, shared by every frame; the same seed gives the same video.</param>
/// <param name="PasteBack">Keep the source pixels outside the propagated mask.</param>
/// <param name="FrameRate">Frames per second the clip is resampled to before editing (and the output's rate).</param>
/// <param name="MaxSide">The longer side of the frames the editor works on; the shorter follows the aspect ratio.</param>
/// <param name="MaskShape">What is repainted per frame: the propagated silhouette, or its bounding box (room for a new shape).</param>
public sealed record VideoEditSpec(
    Guid VideoAssetId,
    Guid MaskAssetId,
    Guid ReferenceAssetId,
    int Steps = 20,
    double Guidance = 3,
    long Seed = 0,
    bool PasteBack = true,
    double FrameRate = 8,
    int MaxSide = 128,
    EditMaskShape MaskShape = EditMaskShape.Box)
{
    /// <summary>The job kind that runs this spec.</summary>
    public const string Kind = "video-edit";

    /// <summary>The most frames one edit takes after resampling; a longer clip is refused before any work.</summary>
    public const int MaxFrames = 240;

    /// <summary>Reads a spec from the job's JSON (web defaults: camelCase).</summary>
    /// <exception cref="JsonException">The JSON does not describe a spec.</exception>
    public static VideoEditSpec Parse(string json) =>
        JsonSerializer.Deserialize<VideoEditSpec>(json, JsonSerializerOptions.Web) ?? throw new JsonException("the spec is empty");

    /// <summary>Writes the spec as the job's JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>Checks every field.</summary>
    /// <returns>One message per bad field, naming it; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (VideoAssetId == Guid.Empty)
        {
            problems.Add("videoAssetId: no video given");
        }

        if (MaskAssetId == Guid.Empty)
        {
            problems.Add("maskAssetId: no mask given; mark the object on frame 1");
        }

        if (ReferenceAssetId == Guid.Empty)
        {
            problems.Add("referenceAssetId: no reference image given");
        }

        if (Steps is < 1 or > 200)
        {
            problems.Add($"steps: {Steps} is outside 1 to 200");
        }

        if (!double.IsFinite(Guidance) || Guidance is < 1 or > 30)
        {
            problems.Add($"guidance: {Guidance} is outside 1 to 30");
        }

        if (!double.IsFinite(FrameRate) || FrameRate is < 1 or > 30)
        {
            problems.Add($"frameRate: {FrameRate} is outside 1 to 30");
        }

        if (!Enum.IsDefined(MaskShape))
        {
            problems.Add($"maskShape: {MaskShape} is not silhouette or box");
        }

        if (MaxSide is < 32 or > 512 || MaxSide % 16 != 0)
        {
            problems.Add($"maxSide: {MaxSide} must be a multiple of 16 from 32 to 512");
        }

        return problems;
    }

    /// <summary>The editor's frame size for a source of <paramref name="width"/> x <paramref name="height"/>: the longer side
    /// <see cref="MaxSide"/> (never upscaled beyond the source), both sides even as H.264 needs.</summary>
    public (int Width, int Height) WorkSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(width, height));
        static int Even(double side) => Math.Max(2, (int)Math.Round(side / 2) * 2);
        return (Even(width * scale), Even(height * scale));
    }
}
