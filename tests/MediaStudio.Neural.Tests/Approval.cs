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

    /// <summary>Fails with a diff hint when the text differs; writes a .received.txt beside the approved file to accept.</summary>
    public static void Verify(string name, string received, [CallerFilePath] string callerPath = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Approvals");
        var approvedPath = Path.Combine(folder, name + ".approved.txt");
        var receivedPath = Path.Combine(folder, name + ".received.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(receivedPath, received);
        Assert.Fail($"{name} differs from {approvedPath}; inspect {receivedPath} and rename it to accept");
    }
}
