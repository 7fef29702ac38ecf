namespace MediaStudio.Neural.Checkpoints;

/// <summary>A model config record that can check itself after being read from <c>config.json</c>.</summary>
public interface IModelConfig
{
    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    void Validate();
}
