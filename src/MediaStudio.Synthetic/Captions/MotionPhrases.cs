namespace MediaStudio.Synthetic.Captions;

/// <summary>The verb phrases clip captions use for motion; the first entry is the plain form.</summary>
/// <remarks>Both <see cref="ClipCaptioner"/> and <see cref="ClipCaptionParser"/> read these tables.</remarks>
public static class MotionPhrases
{
    /// <summary>Movement by (horizontal, vertical) direction; (0, 0) is an object that stays where it is.</summary>
    public static readonly IReadOnlyDictionary<(int Horizontal, int Vertical), string[]> Moves = new Dictionary<(int, int), string[]>
    {
        [(0, 0)] = ["stays in place", "stays where it is", "does not move"],
        [(-1, 0)] = ["moves to the left", "moves left", "slides to the left", "drifts left"],
        [(1, 0)] = ["moves to the right", "moves right", "slides to the right", "drifts right"],
        [(0, -1)] = ["moves up", "moves upward", "rises"],
        [(0, 1)] = ["moves down", "moves downward", "sinks"],
        [(-1, -1)] = ["moves to the upper left", "drifts toward the upper left"],
        [(1, -1)] = ["moves to the upper right", "drifts toward the upper right"],
        [(-1, 1)] = ["moves to the lower left", "drifts toward the lower left"],
        [(1, 1)] = ["moves to the lower right", "drifts toward the lower right"],
    };

    /// <summary>Growth (+1) and shrinking (−1).</summary>
    public static readonly IReadOnlyDictionary<int, string[]> Scales = new Dictionary<int, string[]>
    {
        [1] = ["grows", "gets bigger", "grows larger"],
        [-1] = ["shrinks", "gets smaller"],
    };

    /// <summary>Clockwise (+1) and counterclockwise (−1) turning.</summary>
    public static readonly IReadOnlyDictionary<int, string[]> Rotations = new Dictionary<int, string[]>
    {
        [1] = ["turns clockwise", "rotates clockwise", "spins clockwise"],
        [-1] = ["turns counterclockwise", "rotates counterclockwise", "rotates anticlockwise"],
    };
}
