using MediaStudio.Diffusion.Video.Editor;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Video.Editor;

[Collection(NativeTestGroup.Name)]
public sealed class ReferenceHintTests
{
    private const int Side = 16;

    [Fact]
    public void Place_PutsTheReferencesObjectOnTheMasksBox()
    {
        using var scope = NewDisposeScope();
        var reference = Reference(top: 4, bottom: 12, left: 4, right: 12);          // an 8x8 red square on grey
        var mask = zeros(1, 1, Side, Side);
        mask[.., .., 0..4, 10..14] = 1;                                              // a 4x4 box at the top right

        var hint = ReferenceHint.Place(reference, mask);

        Assert.Equal([1L, ReferenceHint.Channels, Side, Side], hint.shape);
        Assert.True(hint[0, 3].eq(mask[0, 0]).all().item<bool>(), "the fourth channel marks the box");
        Assert.Equal(0f, (hint[0, ..3] * (1 - mask[0])).abs().max().item<float>());   // nothing outside the box
        var inside = hint[0, .., 1..3, 11..13];                                    // the box's centre: the object, red
        Assert.True(inside[0].min().item<float>() > 0.9f);
        Assert.True(inside[1].abs().max().item<float>() < 0.1f && inside[2].abs().max().item<float>() < 0.1f);
    }

    [Fact]
    public void Place_KeepsTheObjectsAspect()
    {
        using var scope = NewDisposeScope();
        var reference = Reference(top: 6, bottom: 10, left: 2, right: 14);          // a 12x4 bar
        var mask = zeros(1, 1, Side, Side);
        mask[.., .., 4..10, 4..10] = 1;                                              // a 6x6 box

        var hint = ReferenceHint.Place(reference, mask);

        var red = hint[0, 0, 4..10, 4..10];                                          // the bar spans the box's width, not its height
        Assert.True(red[2..4].min().item<float>() > 0.5f, "the middle rows carry the bar");
        Assert.True(red[0].max().item<float>() < 0.2f && red[5].max().item<float>() < 0.2f, "the top and bottom rows show the grey around it");
    }

    [Fact]
    public void Place_EmptyMaskOrDroppedReference_GivesNoHint()
    {
        using var scope = NewDisposeScope();
        var reference = Reference(top: 4, bottom: 12, left: 4, right: 12);
        var mask = zeros(2, 1, Side, Side);
        mask[1, .., 2..8, 2..8] = 1;

        var hint = ReferenceHint.Place(reference, mask);                            // one reference for both rows
        var dropped = ReferenceHint.Drop(hint, arange(2).eq(1));                 // the second row's reference dropped

        Assert.Equal(0f, hint[0].abs().max().item<float>());
        Assert.True(hint[1].abs().max().item<float>() > 0);
        Assert.Equal(0f, dropped.abs().max().item<float>());
        Assert.Throws<ArgumentException>(() => ReferenceHint.Place(zeros(1, 3, 8, 8), mask));
    }

    [Fact]
    public void Config_HintDecidesTheUNetsInputChannels()
    {
        Assert.True(ReferenceEditorConfig.Default.ReferenceHint);
        Assert.Equal(ReferenceEditorConfig.HintedInputChannels, ReferenceEditorConfig.Default.UNet.InChannels);
        ReferenceEditorConfig.Default.Validate();
        var plain = new ReferenceEditorConfig();                                     // a config without the key: an editor saved before the hint
        Assert.False(plain.ReferenceHint);
        Assert.Equal(ReferenceEditorConfig.InputChannels, plain.UNet.InChannels);
        plain.Validate();
        var mismatched = ReferenceEditorConfig.Tiny with { ReferenceHint = false };
        var error = Assert.Throws<ArgumentException>(mismatched.Validate);
        Assert.Contains("must take 7 channels", error.Message, StringComparison.Ordinal);

        var unhinted = ReferenceEditorConfig.Tiny with { ReferenceHint = false, UNet = ReferenceEditorConfig.Tiny.UNet with { InChannels = ReferenceEditorConfig.InputChannels } };
        using var editor = new ReferenceEditor(unhinted);
        using var scope = NewDisposeScope();
        Assert.Null(editor.Hint(zeros(1, 3, 16, 16), ones(1, 1, 16, 16)));
        var output = editor.forward(
            ReferenceEditor.Inputs(zeros(1, 3, 16, 16), ones(1, 1, 16, 16), zeros(1, 3, 16, 16), null), full(1, 10L, ScalarType.Int64), editor.NullContext(1));
        Assert.Equal([1L, 3, 16, 16], output.shape);
    }

    // A red rectangle on mid grey, (1, 3, Side, Side) in [-1, 1].
    private static Tensor Reference(int top, int bottom, int left, int right)
    {
        var image = zeros(1, 3, Side, Side);
        image[.., 0, top..bottom, left..right] = 1;
        return image;
    }
}
