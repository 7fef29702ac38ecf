namespace MediaStudio.Diffusion.UNet;

/// <summary>The parameter count of the <see cref="UNet2DConditionModel"/> a config builds, computed from the config alone (no allocation).</summary>
/// <remarks>Mirrors the constructors layer by layer; a test checks it against built models, so SD-size configs can be sized without 3 GB of weights.</remarks>
public static class UNetParameterCount
{
    /// <summary>Counts the parameters.</summary>
    /// <param name="config">A valid config.</param>
    public static long Of(UNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var widths = config.BlockOutChannels.Select(w => (long)w).ToArray();
        var levels = widths.Length;
        long temb = config.TimeEmbedDim;
        var total = Conv(config.InChannels, widths[0], 3) + Linear(widths[0], temb) + Linear(temb, temb);
        if (config.AdditionEmbedType == UNetConfig.TextAddition)
        {
            long dc = config.CrossAttentionDim;
            total += (2 * dc) + dc + (3 * Linear(dc, dc)) + Linear(dc, temb) + (2 * temb); // norm1, position, q/k/v, proj, norm2
        }

        var skips = new Stack<long>([widths[0]]);
        for (var i = 0; i < levels; i++)
        {
            for (var j = 0; j < config.LayersPerBlock; j++)
            {
                total += Res(config, j == 0 ? (i == 0 ? widths[0] : widths[i - 1]) : widths[i], widths[i]) + Transformer(config, widths[i], config.Attention[i]);
                skips.Push(widths[i]);
            }

            if (i < levels - 1)
            {
                total += Conv(widths[i], widths[i], 3);
                skips.Push(widths[i]);
            }
        }

        total += (2 * Res(config, widths[^1], widths[^1])) + Transformer(config, widths[^1], config.MidBlockAttention);
        for (var j = 0; j < levels; j++)
        {
            var i = levels - 1 - j;
            for (var k = 0; k <= config.LayersPerBlock; k++)
            {
                var previous = k > 0 ? widths[i] : j == 0 ? widths[^1] : widths[i + 1];
                total += Res(config, previous + skips.Pop(), widths[i]) + Transformer(config, widths[i], config.Attention[i]);
            }

            total += i > 0 ? Conv(widths[i], widths[i], 3) : 0;
        }

        return total + (2 * widths[0]) + Conv(widths[0], config.OutChannels, 3);
    }

    private static long Conv(long input, long output, long kernel) => (input * output * kernel * kernel) + output;

    private static long Linear(long input, long output, bool bias = true) => (input * output) + (bias ? output : 0);

    private static long Res(UNetConfig config, long input, long output)
    {
        var shortcut = input != output ? Conv(input, output, 1) : 0;
        var norms = (2 * input) + (2 * output);
        var time = Linear(config.TimeEmbedDim, output);
        if (!config.PatResBlocks)
        {
            return norms + time + Conv(input, output, 3) + Conv(output, output, 3) + shortcut;
        }

        long PartialConv(long c) => (c / config.PatNDiv) * (c / config.PatNDiv) * 9;
        return norms + time + PartialConv(input) + Conv(input, output, 1) + PartialConv(output) + Conv(output, output, 1) + shortcut;
    }

    private static long Transformer(UNetConfig config, long c, string kind)
    {
        if (kind == UNetConfig.None)
        {
            return 0;
        }

        long Attention(long kv) => Linear(c, c, false) + (2 * Linear(kv, c, false)) + Linear(c, c);
        var block = (3 * 2 * c) + Attention(c) + Attention(config.CrossAttentionDim) + Linear(c, 8 * c) + Linear(4 * c, c);
        var position = config.PositionEmbedding == UNetConfig.SinCosPositionEmbedding ? c : 0;
        return (2 * c) + (2 * Linear(c, c)) + position + (config.TransformerLayersPerBlock * block);
    }
}
