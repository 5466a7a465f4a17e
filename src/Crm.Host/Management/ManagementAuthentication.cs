using System.Security.Cryptography;
using System.Text;
using Crm.Management;

namespace Crm.Host.Management;

/// <summary>
/// With <c>Management:Token</c> set, every management call but the probes (<c>/healthz</c>, <c>/readyz</c>) must carry
/// <c>Authorization: Bearer &lt;token&gt;</c>; others get 401. The comparison takes the same time whatever the guess.
/// </summary>
public sealed class ManagementAuthentication(RequestDelegate next, ManagementSettings settings)
{
    private static readonly string[] OpenPaths = ["/healthz", "/readyz"];
    private readonly byte[]? _expected = settings.Token is { } token ? Encoding.UTF8.GetBytes("Bearer " + token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expected is null || OpenPaths.Contains(context.Request.Path.Value, StringComparer.OrdinalIgnoreCase) || Authorized(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsJsonAsync(new ErrorView("a valid management token is required (Authorization: Bearer <Management:Token>)")).ConfigureAwait(false);
    }

    private bool Authorized(HttpRequest request)
    {
        var presented = Encoding.UTF8.GetBytes(request.Headers.Authorization.ToString());
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
