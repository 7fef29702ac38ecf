using MudBlazor;

namespace MediaStudio.Web.Components.Layout;

/// <summary>The studio's shell: app bar, navigation drawer and theme.</summary>
public partial class MainLayout
{
    private MudThemeProvider? _themeProvider;
    private bool _drawerOpen = true;
    private bool _isDarkMode;

    // set once the circuit is live (OnAfterRender never runs while prerendering); browser tests wait for it
    private bool _interactive;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && _themeProvider is not null)
        {
            // follow the operating system's preference until the person chooses
            _isDarkMode = await _themeProvider.GetSystemDarkModeAsync();
            _interactive = true;
            StateHasChanged();
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private void ToggleTheme() => _isDarkMode = !_isDarkMode;
}
