namespace Crm.Management;

public sealed record TripView(string BookingId, string ActivityId, string? ActivityTitle, string? City, string? Country, DateTimeOffset StartsAt);

/// <summary>A customer entity's state, as its actor holds it (<c>customer show</c>).</summary>
public sealed record CustomerDetails(string CustomerId, IReadOnlyList<TripView> OpenTrips, IReadOnlyList<string> ClosedBookings, long SequenceNr);

/// <summary>Body of <c>log level</c>: Verbose, Debug, Information, Warning or Error.</summary>
public sealed record LogLevelRequest(string Level);

/// <summary>The node's log level after the change, in Serilog's and Akka's terms.</summary>
public sealed record LogLevelView(string Node, string Level, string AkkaLevel);

/// <summary><c>/readyz</c>: ready, or the reasons why not.</summary>
public sealed record ReadinessView(bool Ready, IReadOnlyList<string> Reasons);

/// <summary>Every refused or failed management call answers this.</summary>
public sealed record ErrorView(string Error);
