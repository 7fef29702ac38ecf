namespace MediaStudio.Core.Hosting;

/// <summary>Prepares the studio's data folder and proves it is writable before anything depends on it.</summary>
public static class DataFolder
{
    /// <summary>Creates the folder if needed and writes a probe file into it.</summary>
    /// <returns>The absolute path of the folder.</returns>
    /// <exception cref="StudioConfigurationException">The folder cannot be created or written.</exception>
    public static string Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new StudioConfigurationException(
                $"data folder '{full}' is not writable ({e.Message.TrimEnd('.')}); set {StorageOptions.Section}:DataPath to a folder this user can write",
                e);
        }
    }
}
