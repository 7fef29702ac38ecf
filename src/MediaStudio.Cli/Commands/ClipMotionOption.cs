using System.CommandLine;
using MediaStudio.Synthetic.Clips;

namespace MediaStudio.Cli.Commands;

/// <summary>The <c>--motion</c> option of the commands that train or score motion words, and its spelling on a command line or card.</summary>
internal static class ClipMotionOption
{
    /// <summary>Creates <c>--motion clear|any</c>, default clear; <paramref name="clips"/> names the clips it chooses ("Training clips").</summary>
    public static Option<ClipMotion> Create(string clips) => new("--motion")
    {
        Description = $"{clips}: clear (every change plainly happens or not) or any (drawn uniformly, many at a caption threshold).",
        DefaultValueFactory = _ => ClipMotion.Clear,
    };

    /// <summary>Gets the option value that selects <paramref name="motion"/>.</summary>
    public static string Name(ClipMotion motion) => motion.ToString().ToLowerInvariant();
}
