using MediaStudio.Core.Hosting;

namespace MediaStudio.Core.Tests.Hosting;

public sealed class DataFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mediastudio-datafolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Prepare_MissingFolder_CreatesItAndReturnsAbsolutePath()
    {
        var target = Path.Combine(_root, "nested", "data");

        var prepared = DataFolder.Prepare(target);

        Assert.Equal(Path.GetFullPath(target), prepared);
        Assert.True(Directory.Exists(prepared));
        Assert.Empty(Directory.EnumerateFileSystemEntries(prepared)); // the probe file is gone
    }

    [Fact]
    public void Prepare_PathUnderAFile_ThrowsOneLineConfigurationError()
    {
        // a regular file where a folder is expected fails even for root, unlike permission bits
        var file = Path.Combine(_root, "not-a-folder");
        File.WriteAllText(file, "x");

        var error = Assert.Throws<StudioConfigurationException>(() => DataFolder.Prepare(Path.Combine(file, "data")));

        Assert.Contains("is not writable", error.Message, StringComparison.Ordinal);
        Assert.Contains(StorageOptions.Section + ":DataPath", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
