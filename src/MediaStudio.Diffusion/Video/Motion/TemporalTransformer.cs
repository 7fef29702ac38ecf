using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>One motion module (AnimateDiff's temporal transformer with MSWA windows over frames), zero-initialised output.</summary>
/// <remarks>
/// Notation: x (B·F, C, h, w) clip-major, F frames. tokens = (B·h·w, F, C): attention runs over F for every pixel.
/// y = x + proj_out(MSWA_1D(proj_in(GN(x)))), RoPE over the frame index (relative positions, so a chunk starting at
/// any frame sees the same geometry), proj_out zero at init so the inflated editor equals the image editor.
/// Keys: norm, proj_in, attention.{q,k,v,o}_proj, proj_out.
/// </remarks>
public sealed class TemporalTransformer : nn.Module<Tensor, long, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Linear proj_in;
    private readonly MultiScaleWindowAttention attention;
    private readonly Linear proj_out;

    /// <summary>Creates the module.</summary>
    /// <param name="channels">Width C.</param>
    /// <param name="windows">Frame window per head.</param>
    /// <param name="groups">GroupNorm groups.</param>
    public TemporalTransformer(int channels, IReadOnlyList<int> windows, int groups) : base(nameof(TemporalTransformer))
    {
        ArgumentNullException.ThrowIfNull(windows);
        norm = Norms.GroupNorm(groups, channels, 1e-6);
        proj_in = nn.Linear(channels, channels);
        attention = new MultiScaleWindowAttention(new AttentionConfig
        {
            Kind = AttentionKind.MultiScaleWindow,
            HiddenSize = channels,
            NumHeads = windows.Count,
            UseRope = true,
            Window = new WindowAttentionConfig { Form = WindowForm.Temporal1D, Windows = windows },
        });
        proj_out = nn.Linear(channels, channels);
        RegisterComponents();
        using var guard = no_grad();
        proj_out.weight!.zero_();
        proj_out.bias!.zero_();
    }

    // (B·F, C, h, w), F -> (B·F, C, h, w)
    public override Tensor forward(Tensor x, long frames)
    {
        using var scope = NewDisposeScope();
        var (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var b = n / frames;
        var tokens = norm.forward(x).view(b, frames, c, h, w).permute(0, 3, 4, 1, 2).reshape(b * h * w, frames, c); // (B·h·w, F, C)
        tokens = proj_in.forward(tokens);
        tokens = attention.forward(new AttentionInput(tokens)).Hidden;                                             // (B·h·w, F, C)
        var y = proj_out.forward(tokens).view(b, h, w, frames, c).permute(0, 3, 4, 1, 2).reshape(n, c, h, w);      // (B·F, C, h, w)
        return (x + y).MoveToOuterDisposeScope();
    }
}
