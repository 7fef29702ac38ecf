using System.Text.Json.Serialization;

namespace MediaStudio.Synthetic.Clips;

/// <summary>How far from a caption's thresholds a clip's motions are drawn.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClipMotion>))]
public enum ClipMotion
{
    /// <summary>Displacement, scale and turn drawn uniformly: many objects change by about a threshold, where "grows" and
    /// "keeps its size" differ by a pixel. The video editor's clips.</summary>
    [JsonStringEnumMemberName("any")]
    Any,

    /// <summary>Every change either plainly happens or plainly does not: the same draws mapped away from each threshold
    /// (<see cref="ClipSampler"/>), so a caption's motion words name what a person would see.</summary>
    [JsonStringEnumMemberName("clear")]
    Clear,
}
