using Crm.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
// No command: an interactive session reading commands from standard input (a terminal, or a script piping them in).
return await CrmCli.RunAsync(args, Console.Out, Console.Error, Console.In, cancellationToken: cancel.Token);
