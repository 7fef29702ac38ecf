namespace MediaStudio.Core.Assets;

/// <summary>An upload or an output: metadata here, immutable bytes in the blob store under <see cref="Sha256"/>.</summary>
public sealed class AssetRecord
{
    /// <summary>The longest caption stored; a longer one is cut at a word boundary before it is saved.</summary>
    public const int MaxCaptionLength = 1000;

    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    public AssetKind Kind { get; set; }

    /// <summary>Gets or sets the IANA media type, e.g. <c>image/png</c>.</summary>
    public required string MediaType { get; set; }

    /// <summary>Gets or sets the lowercase hex SHA-256 of the bytes, which is also their blob-store key.</summary>
    public required string Sha256 { get; set; }

    public long SizeBytes { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public double? DurationSeconds { get; set; }

    /// <summary>Gets or sets generation parameters and other facts as JSON.</summary>
    public string? MetadataJson { get; set; }

    /// <summary>Gets or sets the captioner's description of the image or clip, null until captioned.</summary>
    public string? Caption { get; set; }

    /// <summary>Gets or sets the job that produced an output.</summary>
    public Guid? SourceJobId { get; set; }

    /// <summary>Gets or sets the output's slot within its job ("image-0", "archive"); unique per job so a re-run cannot duplicate it.</summary>
    public string? Slot { get; set; }

    /// <summary>Gets or sets the display name, never used as a path.</summary>
    public string? FileName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Where an asset came from.</summary>
public enum AssetKind
{
    Upload,
    Output,
}
