namespace Crm.Actors.Operating;

/// <summary>What went wrong with an operator's request, in words for the operator, with the HTTP status that says it.</summary>
public sealed class ManagementException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ManagementException BadRequest(string message) => new(400, message);

    public static ManagementException NotFound(string message) => new(404, message);
}
