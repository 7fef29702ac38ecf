namespace MediaStudio.Media.Images;

/// <summary>Limits applied before and while an untrusted image is decoded.</summary>
public sealed class ImageDecodeOptions
{
    public const string Section = "MediaStudio:Images";

    /// <summary>Gets or sets the largest accepted file in bytes.</summary>
    /// <remarks>Defaults to 32 MiB.</remarks>
    public long MaxBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Gets or sets the largest accepted width times height, checked on the header before decoding.</summary>
    /// <remarks>Defaults to 4096 x 4096.</remarks>
    public long MaxPixels { get; set; } = 4096L * 4096;

    /// <summary>Gets or sets the per-allocation limit handed to ImageSharp's memory allocator, in MiB.</summary>
    /// <remarks>Defaults to 256 MiB.</remarks>
    public int AllocationLimitMegabytes { get; set; } = 256;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (MaxBytes < 1)
        {
            throw new ArgumentException($"MaxBytes must be positive, got {MaxBytes}", nameof(MaxBytes));
        }

        if (MaxPixels < 1)
        {
            throw new ArgumentException($"MaxPixels must be positive, got {MaxPixels}", nameof(MaxPixels));
        }

        if (AllocationLimitMegabytes < 1)
        {
            throw new ArgumentException($"AllocationLimitMegabytes must be positive, got {AllocationLimitMegabytes}", nameof(AllocationLimitMegabytes));
        }
    }
}
