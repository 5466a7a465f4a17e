using System.Diagnostics;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// A fault that hits the first <c>size</c> requests a local server receives, then stops: <see cref="TryTake"/> is called
/// from the server's override hook. Records when the first and the last faulty request arrived (Stopwatch timestamps),
/// so a test can wait until the fault is spent and measure recovery from its end.
/// </summary>
public sealed class FaultBudget(int size)
{
    private int _taken;
    private long _firstAt;
    private long _lastAt;

    public int Size => size;

    /// <summary>True (and the request is faulty) while the budget lasts; <paramref name="number"/> counts from 0.</summary>
    public bool TryTake(out int number)
    {
        number = Interlocked.Increment(ref _taken) - 1;
        if (number >= size) return false;
        var now = Stopwatch.GetTimestamp();
        if (number == 0) Volatile.Write(ref _firstAt, now);
        if (number == size - 1) Volatile.Write(ref _lastAt, now);
        return true;
    }

    public bool TryTake() => TryTake(out _);

    /// <summary>Faulty requests answered so far.</summary>
    public int Taken => Math.Min(Volatile.Read(ref _taken), size);

    /// <summary>Every faulty answer was given (the last one has its timestamp).</summary>
    public bool Spent => Volatile.Read(ref _lastAt) != 0;

    /// <summary>When the first faulty request arrived.</summary>
    public long StartedAt => Volatile.Read(ref _firstAt);

    /// <summary>When the last faulty request arrived: from then on the server behaves.</summary>
    public long EndedAt => Volatile.Read(ref _lastAt);

    public override string ToString() => $"{Taken}/{size} faulty answers given";
}
