using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace OneStopPi.Portal.Web;

/// <summary>
/// The web pages' sign-in: an operator token typed once into /login becomes a Data-Protection-sealed,
/// time-limited, HttpOnly, SameSite=Strict cookie. The cookie holds no token.
/// </summary>
internal sealed class WebSession(IDataProtectionProvider provider, TimeProvider time)
{
    public const string CookieName = "osp_session";
    private const string Payload = "operator";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private ITimeLimitedDataProtector Protector =>
        provider.CreateProtector("OneStopPi.Portal.WebSession.v1").ToTimeLimitedDataProtector();

    public bool IsSignedIn(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } cookie)
        {
            return false;
        }

        try
        {
            return Protector.Unprotect(cookie, out var expires) == Payload && expires > time.GetUtcNow();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    public void SignIn(HttpContext context)
    {
        var expires = time.GetUtcNow() + Lifetime;
        context.Response.Cookies.Append(CookieName, Protector.Protect(Payload, expires), new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = expires,
        });
    }

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName);
}
