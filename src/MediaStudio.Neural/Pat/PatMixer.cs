namespace MediaStudio.Neural.Pat;

/// <summary>The spatial mixer a <see cref="PatBlock"/> uses.</summary>
public enum PatMixer
{
    /// <summary>FasterNet's partial conv, the baseline.</summary>
    PartialConv,

    /// <summary>PAT_ch: partial conv plus Gaussian channel attention.</summary>
    ChannelAttention,

    /// <summary>PAT_sf: partial conv plus self-attention with relative-position bias.</summary>
    SelfAttention,
}
