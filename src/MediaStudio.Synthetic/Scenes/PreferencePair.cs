using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Scenes;

/// <summary>One prompt with a preferred (clean, correct) render and a rejected one, for reward-model training.</summary>
/// <param name="Prompt">The caption of the clean scene.</param>
/// <param name="PromptLabel">The label the prompt states.</param>
/// <param name="Chosen">The clean render of <paramref name="PromptLabel"/>.</param>
/// <param name="Rejected">A degraded render, or a render with one attribute wrong.</param>
/// <param name="RejectedLabel">What <paramref name="Rejected"/> actually shows.</param>
/// <param name="Reason">Why it is worse, e.g. "degraded: Blur" or "wrong Color of the object at Left".</param>
public sealed record PreferencePair(string Prompt, SceneLabel PromptLabel, RgbImage Chosen, RgbImage Rejected, SceneLabel RejectedLabel, string Reason)
{
    /// <summary>Builds a pair from a seed: half the time a degradation, otherwise one wrong attribute.</summary>
    public static PreferencePair Sample(long seed, int width = 64, int height = 64)
    {
        var rng = WorldRandom.For(seed, "preference");
        var clean = SceneSampler.Sample(seed);
        var prompt = Captioner.Captions(clean.Label, seed, 1)[0];
        var chosen = SceneRendering.Render(clean, width, height);
        SceneLabel rejectedLabel;
        string reason;
        if (rng.NextDouble() < 0.5)
        {
            var kind = rng.PickEnum<DegradationKind>();
            var degradation = new DegradationSpec(kind, kind == DegradationKind.ColorCast ? NamedColor.Yellow : null);
            rejectedLabel = clean.Label with { Degradations = [degradation] };
            reason = $"degraded: {kind}";
        }
        else
        {
            (rejectedLabel, reason) = WrongAttribute(clean.Label, rng);
        }

        var rejected = SceneRendering.Render(new SceneSample(seed, rejectedLabel.Canonical()), width, height);
        return new PreferencePair(prompt, clean.Label, chosen, rejected, rejectedLabel.Canonical(), reason);
    }

    private static (SceneLabel Label, string Reason) WrongAttribute(SceneLabel label, WorldRandom rng)
    {
        var index = rng.Next(label.Objects.Count);
        var target = label.Objects[index];
        var bg = label.Background;
        ObjectSpec changed;
        string attribute;
        switch (rng.Next(3))
        {
            case 0:
                changed = target with { Shape = rng.Pick(Enum.GetValues<Shape>().Where(s => s != target.Shape).ToList()) };
                attribute = "Shape";
                break;
            case 1:
                changed = target with { Color = rng.Pick(Enum.GetValues<NamedColor>().Where(c => c != target.Color && c != bg.Color && c != bg.SecondColor).ToList()) };
                attribute = "Color";
                break;
            default:
                changed = target with { Size = rng.Pick(Enum.GetValues<SizeClass>().Where(s => s != target.Size).ToList()) };
                attribute = "Size";
                break;
        }

        var objects = label.Objects.Select((o, k) => k == index ? changed : o).ToList();
        return (label with { Objects = objects }, $"wrong {attribute} of the object at {target.Region}");
    }
}
