using Crm.Actors.Pipeline;
using Crm.Host;
using Crm.Host.Configuration;
using Crm.Host.Demo;
using Serilog;
using Serilog.Core;
using Serilog.Events;

// The level is a switch: Logging:Level (Verbose, Debug, Information, Warning, Error) sets it once configuration is read.
var logLevel = new LoggingLevelSwitch();
Log.Logger = new LoggerConfiguration()
    .MinimumLevel.ControlledBy(logLevel)
    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
    .MinimumLevel.Override("Crm.Actors.Kafka.CommittableKafkaSource", args.Contains("--demo") ? LogEventLevel.Warning : LogEventLevel.Information)
    .Enrich.FromLogContext()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
    .CreateLogger();

var demoMode = args.Contains("--demo");
DemoEnvironment? demo = null;
try
{
    var hostArgs = args.Where(a => a != "--demo").ToArray();
    var builder = WebApplication.CreateBuilder(hostArgs);
    builder.Services.AddSerilog();
    if (demoMode)
    {
        demo = await DemoEnvironment.StartAsync();
        builder.Configuration.AddInMemoryCollection(demo.Configuration);
        builder.Configuration.AddCommandLine(hostArgs); // explicit flags still win over the demo's defaults
        builder.Services.AddSingleton(demo);
        builder.Services.AddSingleton<DemoProgress>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoProgress>());
        Console.WriteLine($"Demo: mock Kafka at {demo.Kafka.BootstrapServers}, local Braze at {demo.Braze.BaseUrl}, catalog at {demo.Catalog.BaseUrl}. Ctrl+C stops and prints a summary.");
    }

    var config = CrmConfiguration.Load(builder.Configuration);
    logLevel.MinimumLevel = config.LogLevel;
    builder.Services.AddSingleton(logLevel); // `crm-cmd log level` turns it at run time
    builder.AddCrmActors(config);
    var app = builder.Build();
    app.MapCrmEndpoints();
    var progress = app.Services.GetService<DemoProgress>();
    demo?.StartTraffic();
    await app.RunAsync();
    progress?.PrintSummary();
    return 0;
}
catch (ConfigurationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e) when (e is IOException or InvalidOperationException)
{
    // e.g. the management port is taken: one clear line and a failure exit code, not an unhandled-exception abort.
    Log.Fatal("Crm.Actors could not start: {Reason}", e.Message);
    return 1;
}
finally
{
    if (demo is not null) await demo.DisposeAsync();
    await Log.CloseAndFlushAsync();
}
