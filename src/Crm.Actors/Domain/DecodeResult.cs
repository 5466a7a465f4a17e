namespace Crm.Actors.Domain;

/// <summary>What one Kafka record turned out to be.</summary>
public abstract record DecodeResult
{
    private DecodeResult() { }

    /// <summary>A valid event of <paramref name="Type"/>.</summary>
    public sealed record Valid(DomainEvent Event, EventTypes.EventType Type) : DecodeResult;

    /// <summary>Not a valid event: goes to the dead-letter topic with <paramref name="Reason"/>.</summary>
    public sealed record Malformed(string Reason) : DecodeResult;

    /// <summary>A well-formed envelope of a type this router does not know: skipped and counted.</summary>
    public sealed record UnknownType(string EventType) : DecodeResult;
}
