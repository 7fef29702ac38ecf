namespace MediaStudio.Neural.Pat;

/// <summary>Channel-split arithmetic shared by the PAT mixers.</summary>
internal static class PatSplit
{
    /// <summary>Channels Cp = C / nDiv seen by the partial conv; throws when no channel would be left on either side.</summary>
    public static long ConvChannels(long channels, int nDiv)
    {
        if (nDiv < 2 || channels < nDiv)
        {
            throw new ArgumentException($"a partial conv over {channels} channels with n_div {nDiv} leaves no channel on one side; need channels >= n_div >= 2");
        }

        return channels / nDiv;
    }
}
