namespace MediaStudio.Media.Images.Metadata;

/// <summary>The studio's sampler names as AUTOMATIC1111 spells them in infotext ("dpmpp_2m" is "DPM++ 2M"), both ways.</summary>
public static class A1111Samplers
{
    private static readonly (string Ours, string A1111)[] Names =
    [
        ("dpmpp_2m", "DPM++ 2M"),
        ("euler_a", "Euler a"),
        ("ddim", "DDIM"),
        ("ddpm", "DDPM"),
    ];

    /// <summary>Names our sampler the way A1111 does; an unknown name is returned unchanged.</summary>
    public static string ToA1111(string sampler) =>
        Names.FirstOrDefault(s => s.Ours == sampler).A1111 ?? sampler;

    /// <summary>Maps an A1111 sampler name ("DPM++ 2M Karras", "Euler a") to ours, or null when there is no equivalent.</summary>
    /// <remarks>A scheduler suffix ("Karras", "Exponential") keeps the sampler; an SDE variant or plain "Euler" is a
    /// different sampler and maps to nothing.</remarks>
    public static string? FromA1111(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        if (Names.Any(s => s.Ours == trimmed))
        {
            return trimmed;
        }

        return Names
            .Where(s => string.Equals(trimmed, s.A1111, StringComparison.OrdinalIgnoreCase)
                || (trimmed.StartsWith(s.A1111 + " ", StringComparison.OrdinalIgnoreCase) && !trimmed.Contains("SDE", StringComparison.OrdinalIgnoreCase)))
            .Select(s => s.Ours)
            .FirstOrDefault();
    }
}
