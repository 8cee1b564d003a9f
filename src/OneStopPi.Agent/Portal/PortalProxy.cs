using System.Net;

namespace OneStopPi.Agent.Portal;

/// <summary>
/// The site's HTTP proxy (agent.json <c>proxy</c>) as the handler uses it. The portal is HTTPS, so the proxy
/// sees a CONNECT and then only TLS. A proxy that asks for a login gets it from the URL's user info
/// (<c>http://user:password@proxy:3128</c>, percent-encoded): <see cref="WebProxy(Uri)"/> alone ignores
/// user info and would meet every 407 without credentials. The credentials are kept out of the address so
/// nothing that prints the proxy's address prints the password.
/// </summary>
public static class PortalProxy
{
    public static WebProxy Create(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        if (string.IsNullOrEmpty(proxy.UserInfo))
        {
            return new WebProxy(proxy);
        }

        int colon = proxy.UserInfo.IndexOf(':', StringComparison.Ordinal);
        string user = Uri.UnescapeDataString(colon < 0 ? proxy.UserInfo : proxy.UserInfo[..colon]);
        string password = colon < 0 ? "" : Uri.UnescapeDataString(proxy.UserInfo[(colon + 1)..]);
        var address = new UriBuilder(proxy) { UserName = "", Password = "" }.Uri;
        return new WebProxy(address) { Credentials = new NetworkCredential(user, password) };
    }
}
