namespace MediaStudio.Core.Owners;

/// <summary>Who owns a job or an asset.</summary>
/// <remarks>Single-user local mode is the default, with every row owned by <see cref="Local"/>; real accounts come later
/// without a schema change.</remarks>
public static class Owner
{
    /// <summary>The owner of everything in single-user local mode.</summary>
    public const string Local = "local";

    /// <summary>The longest owner id the schema holds.</summary>
    public const int MaxLength = 64;
}
