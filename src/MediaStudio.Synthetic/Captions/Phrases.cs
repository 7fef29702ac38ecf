using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>The words and phrases captions use for each attribute value; the first entry is the plain form.</summary>
/// <remarks>Both <see cref="Captioner"/> and <see cref="CaptionParser"/> read these tables, so every phrase written can be read back.</remarks>
public static class Phrases
{
    public static readonly IReadOnlyDictionary<NamedColor, string[]> Colors = new Dictionary<NamedColor, string[]>
    {
        [NamedColor.Red] = ["red", "scarlet"],
        [NamedColor.Orange] = ["orange"],
        [NamedColor.Yellow] = ["yellow"],
        [NamedColor.Green] = ["green"],
        [NamedColor.Cyan] = ["cyan", "turquoise"],
        [NamedColor.Blue] = ["blue"],
        [NamedColor.Purple] = ["purple", "violet"],
        [NamedColor.Pink] = ["pink"],
        [NamedColor.Brown] = ["brown"],
        [NamedColor.White] = ["white"],
        [NamedColor.Gray] = ["gray", "grey"],
        [NamedColor.Black] = ["black"],
    };

    public static readonly IReadOnlyDictionary<Shape, string[]> Shapes = new Dictionary<Shape, string[]>
    {
        [Shape.Circle] = ["circle", "disc", "disk"],
        [Shape.Square] = ["square", "block"],
        [Shape.Triangle] = ["triangle"],
        [Shape.Star] = ["star", "five-pointed star"],
        [Shape.Ring] = ["ring", "donut", "hoop"],
        [Shape.Heart] = ["heart"],
    };

    public static readonly IReadOnlyDictionary<SizeClass, string[]> Sizes = new Dictionary<SizeClass, string[]>
    {
        [SizeClass.Small] = ["small", "little", "tiny"],
        [SizeClass.Medium] = ["medium", "medium-sized", "mid-sized"],
        [SizeClass.Large] = ["large", "big"],
    };

    /// <summary>Texture adjectives placed before the colour.</summary>
    public static readonly IReadOnlyDictionary<Texture, string[]> TextureAdjectives = new Dictionary<Texture, string[]>
    {
        [Texture.Striped] = ["striped", "stripy"],
        [Texture.Dotted] = ["dotted", "spotted", "polka-dot"],
    };

    /// <summary>Texture phrases placed after the shape.</summary>
    public static readonly IReadOnlyDictionary<Texture, string[]> TextureSuffixes = new Dictionary<Texture, string[]>
    {
        [Texture.Striped] = ["with stripes"],
        [Texture.Dotted] = ["with dots", "with polka dots", "with spots"],
    };

    public static readonly IReadOnlyDictionary<Region, string[]> Regions = new Dictionary<Region, string[]>
    {
        [Region.Centre] = ["in the centre", "in the center", "in the middle"],
        [Region.Left] = ["on the left", "at the left", "on the left side"],
        [Region.Right] = ["on the right", "at the right", "on the right side"],
        [Region.Top] = ["at the top", "near the top"],
        [Region.Bottom] = ["at the bottom", "near the bottom"],
    };

    public static readonly IReadOnlyDictionary<RelationKind, string[]> Relations = new Dictionary<RelationKind, string[]>
    {
        [RelationKind.Above] = ["above"],
        [RelationKind.Below] = ["below", "beneath", "under"],
        [RelationKind.LeftOf] = ["to the left of", "left of"],
        [RelationKind.RightOf] = ["to the right of", "right of"],
    };

    /// <summary>Background descriptions; {0} and {1} are the two colours.</summary>
    public static readonly IReadOnlyDictionary<BackgroundKind, string[]> Backgrounds = new Dictionary<BackgroundKind, string[]>
    {
        [BackgroundKind.Flat] = ["plain {0}", "flat {0}", "solid {0}", "uniform {0}"],
        [BackgroundKind.Gradient] = ["{0} to {1} gradient", "{0}-to-{1} gradient", "gradient {0} and {1}"],
        [BackgroundKind.Stripes] = ["{0} and {1} striped", "{0} and {1} banded", "banded {0} and {1}"],
        [BackgroundKind.Checker] = ["{0} and {1} checkered", "{0} and {1} checkerboard", "chequered {0} and {1}"],
        [BackgroundKind.Noise] = ["mottled {0} and {1}", "{0} and {1} cloudy", "{0} and {1} marbled"],
    };

    /// <summary>Words that mark the background kind inside a background description.</summary>
    public static readonly IReadOnlyDictionary<string, BackgroundKind> BackgroundKindWords = new Dictionary<string, BackgroundKind>
    {
        ["plain"] = BackgroundKind.Flat,
        ["flat"] = BackgroundKind.Flat,
        ["solid"] = BackgroundKind.Flat,
        ["uniform"] = BackgroundKind.Flat,
        ["gradient"] = BackgroundKind.Gradient,
        ["striped"] = BackgroundKind.Stripes,
        ["banded"] = BackgroundKind.Stripes,
        ["checkered"] = BackgroundKind.Checker,
        ["checkerboard"] = BackgroundKind.Checker,
        ["chequered"] = BackgroundKind.Checker,
        ["mottled"] = BackgroundKind.Noise,
        ["cloudy"] = BackgroundKind.Noise,
        ["marbled"] = BackgroundKind.Noise,
    };

    /// <summary>Degradation phrases that open the caption ("a blurry photo of ..."); {0} is a cast colour.</summary>
    public static readonly IReadOnlyDictionary<DegradationKind, string[]> DegradationPrefixes = new Dictionary<DegradationKind, string[]>
    {
        [DegradationKind.Blur] = ["a blurry photo of", "a blurred picture of", "an out-of-focus image of"],
        [DegradationKind.Noise] = ["a noisy photo of", "a grainy picture of"],
        [DegradationKind.LowContrast] = ["a low-contrast image of", "a washed-out photo of"],
        [DegradationKind.ColorCast] = ["a {0}-tinted photo of"],
        [DegradationKind.Blockiness] = ["a blocky, over-compressed image of", "a pixelated picture of"],
        [DegradationKind.WrongColors] = ["a false-colour image of", "a wrongly coloured picture of"],
    };

    /// <summary>Degradation phrases that close the caption ("..., with heavy noise"); {0} is a cast colour.</summary>
    public static readonly IReadOnlyDictionary<DegradationKind, string[]> DegradationSuffixes = new Dictionary<DegradationKind, string[]>
    {
        [DegradationKind.Blur] = ["blurred", "out of focus"],
        [DegradationKind.Noise] = ["with heavy noise", "grainy"],
        [DegradationKind.LowContrast] = ["with low contrast", "washed out"],
        [DegradationKind.ColorCast] = ["with a {0} colour cast", "with a {0} color cast", "tinted {0}"],
        [DegradationKind.Blockiness] = ["with blocky compression artefacts", "heavily compressed"],
        [DegradationKind.WrongColors] = ["with wrong colours", "in the wrong colors"],
    };

    /// <summary>Returns the plain word for a colour.</summary>
    public static string Word(NamedColor color) => Colors[color][0];
}
