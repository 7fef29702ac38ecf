using System.Text.Json.Serialization;

namespace MediaStudio.Synthetic.World;

// The closed vocabulary of the procedural world. Every enum value is a class the recognizer can predict,
// and every value has at least one caption phrase (see Captions/Phrases.cs).

/// <summary>An object's outline.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Shape>))]
public enum Shape
{
    Circle,
    Square,
    Triangle,
    Star,
    Ring,
    Heart,
}

/// <summary>A colour with a name a caption can use.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NamedColor>))]
public enum NamedColor
{
    Red,
    Orange,
    Yellow,
    Green,
    Cyan,
    Blue,
    Purple,
    Pink,
    Brown,
    White,
    Gray,
    Black,
}

/// <summary>An object's size class.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SizeClass>))]
public enum SizeClass
{
    Small,
    Medium,
    Large,
}

/// <summary>Where in the frame an object sits.</summary>
/// <remarks>Objects of one scene always occupy distinct regions, so a region names an object slot.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<Region>))]
public enum Region
{
    Centre,
    Left,
    Right,
    Top,
    Bottom,
}

/// <summary>An optional surface pattern on an object.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Texture>))]
public enum Texture
{
    None,
    Striped,
    Dotted,
}

/// <summary>How the background is painted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackgroundKind>))]
public enum BackgroundKind
{
    Flat,
    Gradient,
    Stripes,
    Checker,
    Noise,
}

/// <summary>A spatial relation between two objects that a caption can state instead of their regions.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RelationKind>))]
public enum RelationKind
{
    Above,
    Below,
    LeftOf,
    RightOf,
}

/// <summary>An image degradation that a caption names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DegradationKind>))]
public enum DegradationKind
{
    Blur,
    Noise,
    LowContrast,
    ColorCast,
    Blockiness,
    WrongColors,
}
