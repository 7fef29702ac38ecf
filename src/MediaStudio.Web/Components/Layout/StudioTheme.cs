using MudBlazor;

namespace MediaStudio.Web.Components.Layout;

/// <summary>The studio's light and dark palettes.</summary>
internal static class StudioTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#5b4bdb",
            Secondary = "#e0527a",
            AppbarBackground = "#5b4bdb",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9d8cff",
            Secondary = "#ff7aa2",
        },
    };
}
