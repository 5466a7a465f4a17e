namespace Crm.Cli;

/// <summary>What <c>crm-cmd</c> exits with, so scripts can tell failures apart.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The node answered, but the command failed (unknown member, unknown region, cluster timeout).</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: unknown command or option, missing argument, bad value.</summary>
    public const int Usage = 2;

    /// <summary>The management endpoint could not be reached or did not answer.</summary>
    public const int Unreachable = 3;

    /// <summary>The node refused the call: a token is needed, or the one given is wrong.</summary>
    public const int Unauthorized = 4;
}

/// <summary>Ends a command with an exit code and one line for the operator.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
