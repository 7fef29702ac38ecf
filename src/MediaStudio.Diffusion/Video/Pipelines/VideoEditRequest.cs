using System.Text.Json.Serialization;
using MediaStudio.Media.Images;

namespace MediaStudio.Diffusion.Video.Pipelines;

/// <summary>One video edit: the clip's frames, the user's frame-1 mask, the reference image and the sampling settings.</summary>
/// <param name="Frames">The clip's frames, any (equal) size; the pipeline resizes to the model's resolution and back.</param>
/// <param name="FirstFrameMask">Frame 1's mask, width × height bytes, 0 or 255 (non-zero = replace).</param>
/// <param name="Reference">The reference image of the replacement, any size.</param>
/// <param name="Steps">DDIM steps.</param>
/// <param name="Guidance">Classifier-free guidance scale on the reference (1 = no guidance).</param>
/// <param name="Seed">Seed of the shared initial noise.</param>
/// <param name="PasteBack">Keep the source pixels outside the mask exactly.</param>
/// <param name="ChunkFrames">Frames denoised together; longer clips go in overlapping chunks.</param>
/// <param name="ChunkOverlap">Frames shared by consecutive chunks (blended linearly).</param>
/// <param name="MaskShape">What the editor may repaint in each frame: the propagated silhouette, or its bounding box (room for a new shape).</param>
public sealed record VideoEditRequest(
    IReadOnlyList<RgbImage> Frames,
    byte[] FirstFrameMask,
    RgbImage Reference,
    int Steps = 20,
    float Guidance = 3f,
    long Seed = 0,
    bool PasteBack = true,
    int ChunkFrames = 8,
    int ChunkOverlap = 2,
    EditMaskShape MaskShape = EditMaskShape.Box)
{
    /// <summary>Checks the request against itself.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Frames is null || Frames.Count == 0)
        {
            throw new ArgumentException("the request has no frames", nameof(Frames));
        }

        var (w, h) = (Frames[0].Width, Frames[0].Height);
        if (Frames.Any(f => f.Width != w || f.Height != h))
        {
            throw new ArgumentException($"all frames must be {w}x{h} like the first", nameof(Frames));
        }

        if (FirstFrameMask is null || FirstFrameMask.Length != w * h)
        {
            throw new ArgumentException($"the mask must have {w}x{h} = {w * h} entries, got {FirstFrameMask?.Length ?? 0}", nameof(FirstFrameMask));
        }

        ArgumentNullException.ThrowIfNull(Reference, nameof(Reference));
        if (Steps is < 1 or > 1000)
        {
            throw new ArgumentException($"steps must be 1-1000, got {Steps}", nameof(Steps));
        }

        if (!float.IsFinite(Guidance) || Guidance < 0)
        {
            throw new ArgumentException($"guidance must be a non-negative number, got {Guidance}", nameof(Guidance));
        }

        if (ChunkFrames < 1)
        {
            throw new ArgumentException($"chunk_frames must be at least 1, got {ChunkFrames}", nameof(ChunkFrames));
        }

        if (ChunkOverlap < 0 || ChunkOverlap >= ChunkFrames)
        {
            throw new ArgumentException($"chunk_overlap must be in [0, chunk_frames = {ChunkFrames}), got {ChunkOverlap}", nameof(ChunkOverlap));
        }

        if (!Enum.IsDefined(MaskShape))
        {
            throw new ArgumentException($"mask_shape must be silhouette or box, got {MaskShape}", nameof(MaskShape));
        }
    }
}

/// <summary>What the editor may repaint in each frame.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EditMaskShape>))]
public enum EditMaskShape
{
    /// <summary>The propagated mask itself: the new object keeps the old one's outline (a recolour or retexture).</summary>
    [JsonStringEnumMemberName("silhouette")]
    Silhouette,

    /// <summary>The propagated mask's bounding box, one cell wider: room to draw the reference's own shape (a replacement).</summary>
    [JsonStringEnumMemberName("box")]
    Box,
}

/// <summary>Where an edit is: chunk (1-based) of the count, denoising step (1-based) of the count, and the stage.</summary>
/// <param name="Chunk">Current chunk, 1-based (0 before the first).</param>
/// <param name="ChunkCount">Chunks in the clip.</param>
/// <param name="Step">Current step, 1-based (0 before the first).</param>
/// <param name="StepCount">Steps per chunk.</param>
/// <param name="Stage">"masks", "flow", "denoise" or "done".</param>
public sealed record VideoEditProgress(int Chunk, int ChunkCount, int Step, int StepCount, string Stage)
{
    /// <summary>Gets the completed fraction in [0, 1].</summary>
    public double Fraction => Stage == "done" ? 1 : ChunkCount == 0 || StepCount == 0 ? 0
        : Math.Clamp(((Math.Max(0, Chunk - 1) * (double)StepCount) + Step) / (ChunkCount * (double)StepCount), 0, 1);
}
