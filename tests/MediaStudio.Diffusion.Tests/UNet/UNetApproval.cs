using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.UNet;

/// <summary>Shape approvals: a module's "key: shape" lines compared with UNet/Approvals/&lt;name&gt;.approved.txt.</summary>
/// <remarks>The approved file is read from the test output (the project copies it there), because CI maps source paths
/// to /_/ and [CallerFilePath] cannot find the source tree; a .received.txt goes beside the source approval when reachable.</remarks>
internal static class UNetApproval
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
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "UNet", "Approvals", name + ".approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received)
        {
            return;
        }

        var sourceFolder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Approvals");
        var receivedFolder = Directory.Exists(sourceFolder) ? sourceFolder : Path.GetDirectoryName(approvedPath)!;
        Directory.CreateDirectory(receivedFolder);
        var receivedPath = Path.Combine(receivedFolder, name + ".received.txt");
        File.WriteAllText(receivedPath, received);
        Assert.Fail($"{name} differs from {approvedPath}; inspect {receivedPath} and rename it to accept");
    }
}
