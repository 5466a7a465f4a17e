using System.Net;
using System.Net.Sockets;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// How tests outside Akka's TestKit wait: on a condition or an assertion, polled until it holds or the patience runs
/// out (then the failure says why). The one place such tests pause, so none of them sleeps for a fixed time.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="state"/> when it does not in time.</summary>
    public static async Task Holds(Func<bool> condition, TimeSpan patience, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {patience}: {state?.Invoke()}");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Waits until <paramref name="assertion"/> passes; past the patience its last failure is the test's.</summary>
    public static async Task Passes(Func<Task> assertion, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(PollInterval);
            }
        }
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
