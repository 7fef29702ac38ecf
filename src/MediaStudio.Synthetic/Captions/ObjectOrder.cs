using System.Text.Json.Serialization;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>The order a caption lists a scene's objects in.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObjectOrder>))]
public enum ObjectOrder
{
    /// <summary>Any order, drawn per caption (the world's training prompts vary it).</summary>
    [JsonStringEnumMemberName("shuffled")]
    Shuffled,

    /// <summary>Reading order of the (starting) regions: top, left, centre, right, bottom. A captioner that writes in a fixed order
    /// never has to choose which object comes next, only to describe it.</summary>
    [JsonStringEnumMemberName("reading")]
    Reading,
}

/// <summary>Puts objects in an <see cref="ObjectOrder"/>.</summary>
public static class ObjectOrdering
{
    private static readonly Region[] ReadingOrder = [Region.Top, Region.Left, Region.Centre, Region.Right, Region.Bottom];

    /// <summary>Orders items by their region: shuffled with <paramref name="rng"/>, or in reading order.</summary>
    public static List<T> Arrange<T>(IEnumerable<T> items, Func<T, Region> region, ObjectOrder order, WorldRandom rng)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(rng);
        var list = items.ToList();
        if (order == ObjectOrder.Reading)
        {
            return [.. list.OrderBy(item => Array.IndexOf(ReadingOrder, region(item)))];
        }

        rng.Shuffle(list);
        return list;
    }
}
