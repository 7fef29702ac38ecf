using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>
/// Classical coarse-to-fine optical flow: TV-L1 (Zach, Pock and Bischof 2007) solved by the primal-dual scheme of
/// Sánchez, Meinhardt-Llopis and Facciolo (IPOL 2013), on colour images, with a median filter after each warp
/// (Sun, Roth and Black 2010). Deterministic, no learned weights, runs under <c>no_grad</c>.
/// </summary>
/// <remarks>
/// Notation: I₀ = from, I₁ = to, both (B, C, H, W) with intensities scaled to 0..255; u (B, 2, H, W) the flow with
/// I₀(p) ≈ I₁(p + u(p)), so <see cref="FlowWarp.Warp"/>(to, u) ≈ from. Energy (IPOL eq. 2):
/// E(u) = Σ_p |∇u₁| + |∇u₂| + λ Σ_c |ρ_c(u)|, linearised around u₀ at each warp:
/// ρ_c(u) = I₁c(p + u₀) + ∇I₁c(p + u₀)·(u − u₀) − I₀c(p). With the auxiliary v and coupling θ:
/// (a) v = u − TH(ρ): the thresholding step (IPOL eq. 13), applied to the channels in turn with weight λ / C;
/// (b) u = v + θ div(p) (eq. 15); (c) p ← (p + τ/θ ∇u) / (1 + τ/θ |∇u|) (eq. 16), one dual field per flow component.
/// Coarse levels are area-downsampled by 2; the flow is upsampled bilinearly and scaled by 2 between levels.
/// </remarks>
public sealed class FlowEstimator
{
    private readonly FlowEstimatorOptions _options;

    /// <summary>Creates an estimator with the given settings (null: defaults).</summary>
    public FlowEstimator(FlowEstimatorOptions? options = null)
    {
        _options = options ?? new FlowEstimatorOptions();
        _options.Validate();
    }

    /// <summary>Estimates the flow u with from(p) ≈ to(p + u(p)).</summary>
    /// <param name="from">I₀ (B, C, H, W) in [-1, 1] (any channel count; frames have 3).</param>
    /// <param name="to">I₁ (B, C, H, W) in [-1, 1].</param>
    /// <returns>(B, 2, H, W) pixel flow, dx then dy, float32 on the inputs' device.</returns>
    public Tensor Estimate(Tensor from, Tensor to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from.dim() != 4 || !from.shape.SequenceEqual(to.shape))
        {
            throw new ArgumentException(
                $"from and to must both be (B, C, H, W) of one shape, got ({string.Join(", ", from.shape)}) and ({string.Join(", ", to.shape)})", nameof(to));
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var i0 = (from.to_type(ScalarType.Float32) + 1) * 127.5; // (B, C, H, W) in 0..255
        var i1 = (to.to_type(ScalarType.Float32) + 1) * 127.5;

        var pyramid0 = new List<Tensor> { i0 };
        var pyramid1 = new List<Tensor> { i1 };
        while (pyramid0.Count < _options.Levels
            && Math.Min(pyramid0[^1].shape[2], pyramid0[^1].shape[3]) / 2 >= _options.MinSide)
        {
            pyramid0.Add(Down(pyramid0[^1]));
            pyramid1.Add(Down(pyramid1[^1]));
        }

        Tensor? u = null;
        for (var level = pyramid0.Count - 1; level >= 0; level--)
        {
            var (h, w) = (pyramid0[level].shape[2], pyramid0[level].shape[3]);
            u = u is null ? zeros(i0.shape[0], 2, h, w, device: i0.device) : Up(u, h, w);
            u = Level(pyramid0[level], pyramid1[level], u);
        }

        return u!.MoveToOuterDisposeScope();
    }

    /// <summary>Area downsampling by 2, after a light blur against aliasing.</summary>
    private static Tensor Down(Tensor x)
    {
        var (h, w) = (x.shape[2], x.shape[3]);
        return interpolate(Blur(x), [(h + 1) / 2, (w + 1) / 2], mode: InterpolationMode.Area);
    }

    /// <summary>Separable [1 2 1]/4 blur with replicate borders.</summary>
    private static Tensor Blur(Tensor x)
    {
        var padded = pad(x, [1, 1, 1, 1], TorchSharp.PaddingModes.Replicate);
        var (h, w) = (x.shape[2], x.shape[3]);
        var rows = (padded.narrow(3, 0, w) + (2 * padded.narrow(3, 1, w)) + padded.narrow(3, 2, w)) / 4; // (B, C, H+2, W)
        return (rows.narrow(2, 0, h) + (2 * rows.narrow(2, 1, h)) + rows.narrow(2, 2, h)) / 4;
    }

    /// <summary>Bilinear upsampling of a flow to (h, w), scaling the vectors by the size ratio.</summary>
    private static Tensor Up(Tensor u, long h, long w)
    {
        var scaleX = (double)w / u.shape[3];
        var scaleY = (double)h / u.shape[2];
        var up = interpolate(u, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
        return cat([up.narrow(1, 0, 1) * scaleX, up.narrow(1, 1, 1) * scaleY], 1);
    }

    /// <summary>Central differences with replicate borders: (∂x, ∂y) of x (B, C, H, W), each (B, C, H, W).</summary>
    private static (Tensor Dx, Tensor Dy) Central(Tensor x)
    {
        var (h, w) = (x.shape[2], x.shape[3]);
        var px = pad(x, [1, 1, 0, 0], TorchSharp.PaddingModes.Replicate);
        var py = pad(x, [0, 0, 1, 1], TorchSharp.PaddingModes.Replicate);
        return ((px.narrow(3, 2, w) - px.narrow(3, 0, w)) / 2, (py.narrow(2, 2, h) - py.narrow(2, 0, h)) / 2);
    }

    /// <summary>Forward differences with a zero last difference (Neumann boundary), the ∇ of the TV term.</summary>
    private static (Tensor Dx, Tensor Dy) Forward(Tensor x)
    {
        var (h, w) = (x.shape[2], x.shape[3]);
        var dx = pad(x.narrow(3, 1, w - 1) - x.narrow(3, 0, w - 1), [0, 1, 0, 0]);
        var dy = pad(x.narrow(2, 1, h - 1) - x.narrow(2, 0, h - 1), [0, 0, 0, 1]);
        return (dx, dy);
    }

    /// <summary>Divergence by backward differences, the negative adjoint of <see cref="Forward"/>.</summary>
    private static Tensor Divergence(Tensor px, Tensor py)
    {
        var (h, w) = (px.shape[2], px.shape[3]);
        var ax = pad(px.narrow(3, 0, w - 1), [1, 0, 0, 0]); // p_x(i-1), 0 at i = 0
        var ay = pad(py.narrow(2, 0, h - 1), [0, 0, 1, 0]);
        var bx = cat([px.narrow(3, 0, w - 1), zeros_like(px.narrow(3, 0, 1))], 3); // p_x(i), 0 at the last column
        var by = cat([py.narrow(2, 0, h - 1), zeros_like(py.narrow(2, 0, 1))], 2);
        return bx - ax + (by - ay);
    }

    /// <summary>k × k median of each flow component, replicate borders.</summary>
    private static Tensor MedianFilter(Tensor u, int k)
    {
        var (b, c, h, w) = (u.shape[0], u.shape[1], u.shape[2], u.shape[3]);
        var padded = pad(u, [k / 2, k / 2, k / 2, k / 2], TorchSharp.PaddingModes.Replicate);
        var patches = padded.unfold(2, k, 1).unfold(3, k, 1); // (B, 2, H, W, k, k)
        return patches.reshape(b, c, h, w, k * k).sort(-1).Values.select(-1, k * k / 2);
    }

    /// <summary>Refines u at one pyramid level: warps, each followed by primal-dual iterations and a median filter.</summary>
    private Tensor Level(Tensor i0, Tensor i1, Tensor u)
    {
        var (lambda, theta, tau) = (_options.Lambda, _options.Theta, _options.Tau);
        var channels = i0.shape[1];
        var weight = lambda * theta / channels;
        var (g1x, g1y) = Central(i1);
        var dual = new[] { zeros_like(u.narrow(1, 0, 1)), zeros_like(u.narrow(1, 0, 1)), zeros_like(u.narrow(1, 0, 1)), zeros_like(u.narrow(1, 0, 1)) };
        for (var warp = 0; warp < _options.Warps; warp++)
        {
            using var warpScope = NewDisposeScope();
            var u0 = u.clone();
            var i1w = FlowWarp.Warp(i1, u0);   // (B, C, H, W)
            var gx = FlowWarp.Warp(g1x, u0);
            var gy = FlowWarp.Warp(g1y, u0);
            var g2 = (gx.square() + gy.square()).clamp_min(1e-6);
            var rho0 = i1w - i0 - (gx * u0.narrow(1, 0, 1)) - (gy * u0.narrow(1, 1, 1)); // ρ_c(u) = rho0 + g·u

            for (var iteration = 0; iteration < _options.Iterations; iteration++)
            {
                using var stepScope = NewDisposeScope();

                // (a) thresholding, channel by channel
                var v = u;
                for (var c = 0; c < channels; c++)
                {
                    var (gcx, gcy, g2c) = (gx.narrow(1, c, 1), gy.narrow(1, c, 1), g2.narrow(1, c, 1));
                    var rho = rho0.narrow(1, c, 1) + (gcx * v.narrow(1, 0, 1)) + (gcy * v.narrow(1, 1, 1)); // (B, 1, H, W)
                    var bound = weight * g2c;
                    var step = where(rho.lt(-bound), full_like(rho, -weight), where(rho.gt(bound), full_like(rho, weight), rho / g2c));
                    v = v - (step * cat([gcx, gcy], 1)); // (B, 2, H, W)
                }

                // (b) primal update and (c) dual update, per flow component
                var components = new Tensor[2];
                for (var k = 0; k < 2; k++)
                {
                    var uk = v.narrow(1, k, 1) + (theta * Divergence(dual[2 * k], dual[(2 * k) + 1]));
                    var (ux, uy) = Forward(uk);
                    var norm = 1 + ((tau / theta) * (ux.square() + uy.square()).sqrt());
                    dual[2 * k] = ((dual[2 * k] + ((tau / theta) * ux)) / norm).MoveToOuterDisposeScope();
                    dual[(2 * k) + 1] = ((dual[(2 * k) + 1] + ((tau / theta) * uy)) / norm).MoveToOuterDisposeScope();
                    components[k] = uk;
                }

                u = cat(components, 1).MoveToOuterDisposeScope();
            }

            if (_options.Median > 1)
            {
                u = MedianFilter(u, _options.Median);
            }

            u = u.MoveToOuterDisposeScope();
            for (var d = 0; d < dual.Length; d++)
            {
                dual[d] = dual[d].MoveToOuterDisposeScope();
            }
        }

        return u;
    }
}
