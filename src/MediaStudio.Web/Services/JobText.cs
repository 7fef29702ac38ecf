using System.Globalization;
using MediaStudio.Core.Jobs;
using MudBlazor;

namespace MediaStudio.Web.Services;

/// <summary>How jobs read on the pages: status words and colours, durations, ETAs.</summary>
public static class JobText
{
    /// <summary>Names a status in lower case, as the API does.</summary>
    public static string Status(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.CancelRequested && !job.Status.IsFinal() ? "cancelling" : job.Status.ToString().ToLowerInvariant();
    }

    /// <summary>Colours a status chip.</summary>
    public static Color StatusColor(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Status switch
        {
            JobStatus.Running when job.CancelRequested => Color.Warning,
            JobStatus.Running => Color.Info,
            JobStatus.Succeeded => Color.Success,
            JobStatus.Failed => Color.Error,
            JobStatus.Interrupted => Color.Warning,
            _ => Color.Default,
        };
    }

    /// <summary>Writes a duration as "850 ms", "12 s", "3 min 05 s" or "2 h 04 min".</summary>
    public static string Duration(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalMilliseconds):0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds:00} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min"),
    };

    /// <summary>Says how long a job waited or ran: running for, took, or waiting for.</summary>
    public static string Elapsed(JobRecord job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job switch
        {
            { StartedAt: { } started, FinishedAt: { } finished } => $"took {Duration(finished - started)}",
            { Status: JobStatus.Running, StartedAt: { } started } => $"running {Duration(now - started)}",
            { FinishedAt: { } finished } => $"ended after {Duration(finished - job.CreatedAt)}",
            _ => $"waiting {Duration(now - job.CreatedAt)}",
        };
    }

    /// <summary>Writes the progress line: stage, percent and ETA ("denoising · 45% · about 12 s left").</summary>
    public static string ProgressLine(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(job.Stage))
        {
            parts.Add(job.Stage);
        }

        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{job.Progress * 100:0}%"));
        if (job.EtaSeconds is { } eta && job.Status == JobStatus.Running)
        {
            parts.Add($"about {Duration(TimeSpan.FromSeconds(eta))} left");
        }

        return string.Join(" · ", parts);
    }
}
