using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using PersistenceSettings = Crm.Actors.Hosting.PersistenceSettings;
using Crm.Actors.Domain;
using Crm.Actors.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Crm.Actors.Benchmarks;

/// <summary>What Akka.Persistence.Sql alone does on this machine, configured exactly as the service configures it.</summary>
/// <param name="WritesPerSecond">Events persisted per second (one event per write, each actor waiting for its write).</param>
/// <param name="WriteCpuMs">Process CPU per event persisted, ms (all threads; SQLite's engine included).</param>
/// <param name="WriteDatabaseCpuMs">PostgreSQL server CPU per event persisted, ms (0 for SQLite).</param>
/// <param name="EntitiesRecoveredPerSecond">Actors recovered per second, all asked at once after a restart.</param>
/// <param name="RecoveryCpuMs">Process CPU per actor recovered, ms.</param>
/// <param name="RecoveryDatabaseCpuMs">PostgreSQL server CPU per actor recovered, ms.</param>
public sealed record PluginResult(
    string Journal, int Actors, int EventsPerActor, double WritesPerSecond, double WriteCpuMs, double WriteDatabaseCpuMs,
    double EntitiesRecoveredPerSecond, double RecoveryCpuMs, double RecoveryDatabaseCpuMs)
{
    /// <summary>Managed heap the recovered actors hold, MiB per 10,000 (after a full GC, the actors alive).</summary>
    public double MibPer10000Actors { get; init; }
}

/// <summary>
/// The minimal reproduction issue 11 asks for where the journal plugin is the wall: no Kafka, no sharding, no Braze.
/// <see cref="Actors"/> persistent actors (as many as records the pipeline keeps in flight) each persist
/// <see cref="EventsPerActor"/> one-key <see cref="DeliveriesRecorded"/> events one after the other (the write the
/// pipeline makes for most records), through <c>WithCrmPersistence</c> and <c>hocon/crm.hocon</c>; then a new actor
/// system on the same journal asks every actor at once how many events it replayed. The figures bound what any
/// pipeline built on one journal write per record, or one recovery per new customer, can reach here.
/// </summary>
public static class PluginAlone
{
    public const int Actors = 2_000;
    public const int EventsPerActor = 8;

    public static async Task<PluginResult> RunAsync(Journal journal, string hocon = "")
    {
        // Read as the service reads it (a PostgreSQL pool bounded by Persistence:MaxConnections, and so on).
        var settings = Crm.Host.Configuration.CrmConfiguration.LoadPersistence(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["Persistence:Provider"] = journal.Provider, ["Persistence:ConnectionString"] = journal.ConnectionString }).Build());
        var ids = Enumerable.Range(0, Actors).Select(i => $"plugin-alone-{i}").ToList();

        var (writeSeconds, writeCpu, writeDatabase) = await WithSystemAsync(settings, hocon, async system =>
        {
            // Built by a delegate as the service builds its entities: an expression Props compiles a delegate per actor.
            var actors = ids.Select(id => system.ActorOf(DelegateProducer<Writer>.Props(() => new Writer(id)))).ToList();
            await Task.WhenAll(actors.Select(a => a.Ask<int>(Writer.Count.Instance, TimeSpan.FromMinutes(1)))); // recovered (empty)
            return await MeasureAsync("writes", () => Task.WhenAll(actors.Select(a => a.Ask<Writer.Written>(new Writer.Write(EventsPerActor), TimeSpan.FromMinutes(5)))));
        });
        long recoveredHeap = 0;
        var (recoverySeconds, recoveryCpu, recoveryDatabase) = await WithSystemAsync(settings, hocon, async system =>
        {
            // One actor first, so the journal's connection and tables are up before the clock starts.
            await system.ActorOf(DelegateProducer<Writer>.Props(() => new Writer("plugin-alone-warm-up"))).Ask<int>(Writer.Count.Instance, TimeSpan.FromMinutes(1));
            var heap = GC.GetTotalMemory(forceFullCollection: true);
            var measured = await MeasureAsync("recovery", async () =>
            {
                var counts = await Task.WhenAll(ids.Select(id =>
                    system.ActorOf(DelegateProducer<Writer>.Props(() => new Writer(id))).Ask<int>(Writer.Count.Instance, TimeSpan.FromMinutes(5))));
                if (counts.Any(c => c != EventsPerActor))
                    throw new InvalidOperationException($"an actor replayed {counts.First(c => c != EventsPerActor)} events, not {EventsPerActor}");
            });
            // The actors are alive: what each costs on the managed heap, to set the service's entities against.
            recoveredHeap = GC.GetTotalMemory(forceFullCollection: true) - heap;
            return measured;
        });
        var events = (double)Actors * EventsPerActor;
        return new PluginResult(journal.Name, Actors, EventsPerActor,
            events / writeSeconds, writeCpu.TotalMilliseconds / events, writeDatabase.TotalMilliseconds / events,
            Actors / recoverySeconds, recoveryCpu.TotalMilliseconds / Actors, recoveryDatabase.TotalMilliseconds / Actors)
        {
            MibPer10000Actors = recoveredHeap / 1024.0 / 1024 * 10_000 / Actors,
        };
    }

    private static async Task<(double Seconds, TimeSpan Cpu, TimeSpan DatabaseCpu)> MeasureAsync(string phase, Func<Task> work)
    {
        var cpu = Cpu.Process();
        var database = Cpu.PostgresServer();
        var clock = Stopwatch.StartNew();
        var (methods, jit) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        await work();
        // The JIT compiler is still at work this early in a process; how much of the CPU it took is printed apart.
        Terminal.WriteLine($"    (e) {phase}: {(Cpu.Process() - cpu).TotalMilliseconds:F0} ms of CPU, of which JIT compilation {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds:F0} ms ({System.Runtime.JitInfo.GetCompiledMethodCount() - methods} methods)");
        return (clock.Elapsed.TotalSeconds, Cpu.Process() - cpu, Cpu.PostgresServer() - database);
    }

    private static async Task<T> WithSystemAsync<T>(PersistenceSettings settings, string hocon, Func<ActorSystem, Task<T>> run)
    {
        using var host = Microsoft.Extensions.Hosting.Host.CreateDefaultBuilder()
            .ConfigureServices(services => services.AddAkka("plugin-alone", akka => akka
                .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "crm.hocon"), HoconAddMode.Append)
                .WithEventTypes()
                .WithCrmPersistence(settings)
                .AddHocon(hocon, HoconAddMode.Prepend)))
            .Build();
        await host.StartAsync();
        try { return await run(host.Services.GetRequiredService<ActorSystem>()); }
        finally { await host.StopAsync(); }
    }


    /// <summary>Persists one small event per write, each after the last one's callback, as a customer entity does.</summary>
    private sealed class Writer : UntypedPersistentActor
    {
        private readonly string _id;
        private int _events;

        public Writer(string id) => _id = id;

        protected override void OnRecover(object message)
        {
            if (message is DeliveriesRecorded) _events++;
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case Count: Sender.Tell(_events); break;
                case Write write:
                    var replyTo = Sender;
                    var left = write.Events;
                    void Next() => Persist(new DeliveriesRecorded([DeliveryLedger.KeyOf($"{_id}-{_events}")]), _ =>
                    {
                        _events++;
                        if (--left > 0) Next();
                        else replyTo.Tell(new Written(_events));
                    });
                    Next();
                    break;
            }
        }

        public override string PersistenceId => _id;

        public sealed record Write(int Events);

        public sealed record Written(int Events);

        public sealed record Count
        {
            public static readonly Count Instance = new();
        }
    }
}
