using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests;

/// <summary>Shape approvals: a module's "key: shape" lines compared with Approvals/&lt;name&gt;.approved.txt beside the calling test file.</summary>
/// <remarks>The approved file is read from the test output (the project copies it there), because CI maps source paths
/// to /_/; a .received.txt goes beside the source approval when the source tree is reachable.</remarks>
internal static class Approval
{
    public static string Describe(nn.Module module)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in module.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}: [{string.Join(", ", value.shape)}] {value.dtype}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"parameters: {module.parameters().Sum(p => p.numel())}\n");
        return text.ToString();
    }

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

    /// <summary>The project root, where this file sits.</summary>
    private static string ProjectFolder => Path.GetDirectoryName(ThisFile())!;

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
