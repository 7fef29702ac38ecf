namespace MediaStudio.Jobs.Execution;

/// <summary>The job's input is wrong; retrying cannot help, so the job fails at once with this message.</summary>
public sealed class JobInputException : Exception
{
    public JobInputException()
    {
    }

    public JobInputException(string message)
        : base(message)
    {
    }

    public JobInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
