using System.Net;
using System.Net.Sockets;
using MediaStudio.Core.Hosting;

namespace MediaStudio.Web.Hosting;

/// <summary>Checks that the addresses the studio will listen on are free, so a taken port gives one clear line.</summary>
internal static class PortCheck
{
    public static void EnsureFree(string? urls)
    {
        foreach (var url in (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!BindingAddress.TryParse(url, out var address, out var port))
            {
                continue;
            }

            try
            {
                using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                var why = e.SocketErrorCode is SocketError.AddressAlreadyInUse ? "is already in use" : "is not allowed for this user";
                throw new StudioConfigurationException(
                    $"cannot listen on {url}: port {port} {why}; stop the other process or choose another address with --urls", e);
            }
        }
    }

    private static class BindingAddress
    {
        public static bool TryParse(string url, out IPAddress address, out int port)
        {
            address = IPAddress.Loopback;
            port = 0;
            var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                return false;
            }

            port = uri.Port;
            if (uri.IsLoopback)
            {
                address = IPAddress.Loopback;
                return true;
            }

            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out address!);
        }
    }
}
