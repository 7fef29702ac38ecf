using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests;

/// <summary>Shape approvals: a module's "key: shape" lines compared with Approvals/&lt;name&gt;.approved.txt beside the calling test file.</summary>
internal static class Approval
{
    public static string Describe(nn.Module module)
    {
        var text = new StringBuilder();
        var total = 0L;
        foreach (var (key, value) in module.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}: [{string.Join(", ", value.shape)}] {value.dtype}\n");
        }

        foreach (var p in module.parameters())
        {
            total += p.numel();
        }

        text.Append(CultureInfo.InvariantCulture, $"parameters: {total}\n");
        return text.ToString();
    }

    /// <summary>
    /// Fails with a diff hint when the text differs. The approved file is read from the test output (copied there by
    /// the project), and the .received.txt is written beside the source approval when the source tree is reachable
    /// (a local run), else beside the copy in the output.
    /// </summary>
    public static void Verify(string name, string received, [CallerFilePath] string callerPath = "")
    {
        var relativeFolder = Path.GetRelativePath(ProjectFolder, Path.Combine(Path.GetDirectoryName(callerPath)!, "Approvals"));
        var outputFolder = Path.Combine(AppContext.BaseDirectory, relativeFolder);
        var approvedPath = Path.Combine(outputFolder, name + ".approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received)
        {
            return;
        }

        var sourceFolder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Approvals");
        var receivedFolder = Directory.Exists(sourceFolder) ? sourceFolder : outputFolder;
        Directory.CreateDirectory(receivedFolder);
        var receivedPath = Path.Combine(receivedFolder, name + ".received.txt");
        File.WriteAllText(receivedPath, received);
        Assert.Fail($"{name} differs from {approvedPath}; inspect {receivedPath} and rename it to accept");
    }

    /// <summary>The folder of this file, which is the project root: caller paths are taken relative to it.</summary>
    private static string ProjectFolder => Path.GetDirectoryName(ThisFile())!;

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
