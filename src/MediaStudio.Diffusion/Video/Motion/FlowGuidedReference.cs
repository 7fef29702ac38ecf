using MediaStudio.Diffusion.Video.Flow;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>
/// One layer of the flow-guided motion reference (IVEDiff's MotRefNet, papers-media.md §1 (c)): each pixel attends to
/// itself and to the previous and next frame's features warped onto it by flow, with invalid correspondences suppressed.
/// </summary>
/// <remarks>
/// Notation: X_f (C, h, w) frame f's features, n = GN(X), P_f / N_f the flows to the previous / next frame and
/// v^P_f, v^N_f their consistency weights in [0, 1] (<see cref="FrameFlows"/>).
/// n'_{f−1} = warp(n_{f−1}, P_f), n'_{f+1} = warp(n_{f+1}, N_f); for every pixel the candidates are
/// K = [n_f, v^P n'_{f−1}, v^N n'_{f+1}] (3 tokens); a = softmax(q·k/√C + log(v + ε)) with v = 1 for itself;
/// X_f ← X_f + proj_out(Σ a V). proj_out starts at zero, so the module starts as the identity.
/// Keys: norm, to_q, to_k, to_v, proj_out.
/// </remarks>
public sealed class FlowGuidedReference : nn.Module<Tensor, long, FrameFlows, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly Linear proj_out;

    /// <summary>Creates the layer.</summary>
    public FlowGuidedReference(int channels, int groups) : base(nameof(FlowGuidedReference))
    {
        norm = Norms.GroupNorm(groups, channels, 1e-6);
        to_q = nn.Linear(channels, channels, hasBias: false);
        to_k = nn.Linear(channels, channels, hasBias: false);
        to_v = nn.Linear(channels, channels, hasBias: false);
        proj_out = nn.Linear(channels, channels);
        RegisterComponents();
        using var guard = no_grad();
        proj_out.weight!.zero_();
        proj_out.bias!.zero_();
    }

    // (B·F, C, h, w), F, flows -> (B·F, C, h, w)
    public override Tensor forward(Tensor x, long frames, FrameFlows flows)
    {
        ArgumentNullException.ThrowIfNull(flows);
        using var scope = NewDisposeScope();
        var (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var (prevFlow, prevWeight, nextFlow, nextWeight) = flows.At(h);
        var b = n / frames;
        var normed = norm.forward(x);                                                       // (B·F, C, h, w)
        var clip = normed.view(b, frames, c, h, w);
        var previous = cat([clip.narrow(1, 0, 1), clip.narrow(1, 0, frames - 1)], 1).view(n, c, h, w); // row f holds frame f−1
        var following = cat([clip.narrow(1, 1, frames - 1), clip.narrow(1, frames - 1, 1)], 1).view(n, c, h, w);
        var prevWarped = FlowWarp.Warp(previous, prevFlow) * prevWeight;                    // (B·F, C, h, w)
        var nextWarped = FlowWarp.Warp(following, nextFlow) * nextWeight;
        var candidates = stack([normed, prevWarped, nextWarped], 1).permute(0, 3, 4, 1, 2).reshape(n * h * w, 3, c); // (N·h·w, 3, C)
        var own = normed.permute(0, 2, 3, 1).reshape(n * h * w, 1, c);                       // (N·h·w, 1, C)
        var q = to_q.forward(own);                                                          // (N·h·w, 1, C)
        var k = to_k.forward(candidates);                                                   // (N·h·w, 3, C)
        var v = to_v.forward(candidates);
        var validity = cat([ones_like(prevWeight), prevWeight, nextWeight], 1).permute(0, 2, 3, 1).reshape(n * h * w, 1, 3);
        var logits = q.matmul(k.transpose(1, 2)) / Math.Sqrt(c) + (validity + 1e-6).log();  // (N·h·w, 1, 3)
        var attended = logits.softmax(-1).matmul(v);                                        // (N·h·w, 1, C)
        var y = proj_out.forward(attended).view(n, h, w, c).permute(0, 3, 1, 2);             // (B·F, C, h, w)
        return (x + y).MoveToOuterDisposeScope();
    }
}
