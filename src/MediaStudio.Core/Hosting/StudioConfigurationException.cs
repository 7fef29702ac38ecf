namespace MediaStudio.Core.Hosting;

/// <summary>Raised when the studio cannot start because of its configuration or environment.</summary>
/// <remarks>The message is written for the person running the studio: one line that says what is wrong and how to fix it.</remarks>
public sealed class StudioConfigurationException : Exception
{
    public StudioConfigurationException()
    {
    }

    public StudioConfigurationException(string message)
        : base(message)
    {
    }

    public StudioConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
