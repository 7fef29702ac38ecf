using MudBlazor;

namespace MediaStudio.Web.Components.Layout;

/// <summary>A section of the studio as it appears in the navigation drawer.</summary>
/// <param name="Title">The label in the drawer and the page heading.</param>
/// <param name="Href">The page's route.</param>
/// <param name="Icon">A Material icon.</param>
/// <param name="Purpose">One sentence on what the section does for the person.</param>
/// <param name="Issue">The issue that delivers the section, while it is not built yet.</param>
public sealed record StudioSection(string Title, string Href, string Icon, string Purpose, int? Issue)
{
    public static IReadOnlyList<StudioSection> All { get; } =
    [
        new("Create", "create", Icons.Material.Filled.Brush, "Write a prompt and render images guided by a learned negative embedding.", null),
        new("Batch", "batch", Icons.Material.Filled.GridView, "Queue many prompts × seeds at once and download one archive.", null),
        new("Video edit", "video-edit", Icons.Material.Filled.MovieFilter, "Mark an object on the first frame, give a reference image, and replace it through the clip.", null),
        new("Queue", "queue", Icons.Material.Filled.Queue, "Watch jobs run: stage, progress, ETA and previews; cancel or retry.", null),
        new("Gallery", "gallery", Icons.Material.Filled.PhotoLibrary, "Browse every output with its prompt, seed and settings.", null),
        new("Models", "models", Icons.Material.Filled.Memory, "The bundled models, their cards and measured metrics.", null),
        new("Negatives", "negatives", Icons.Material.Filled.RemoveCircleOutline, "Learned negative embeddings: global or per prompt, and training new ones.", null),
    ];
}
