using System.Globalization;
using System.Text.Json;

namespace Crm.Actors.Benchmarks;

/// <summary>One Markdown table (README "Performance" shows it) and one JSON line with the same figures.</summary>
public static class Report
{
    // Targets of issue 11 ("one node keeps pace with a Braze workspace").
    private const double RecordsTargetPerSecond = 10_000;
    private const double CpuTargetMs = 0.15;
    private const double LatencyTargetMs = 200;
    private const double WorkingSetTargetMib = 600;
    private const double RecoveryTargetEntitiesPerSecond = 5_000;
    /// <summary>One Braze workspace's /users/track limit: 3,000 requests per 3 s of 75 objects each.</summary>
    private const double BrazeCeilingObjectsPerSecond = 75_000;

    public static void Print(
        BenchmarkOptions options, int records, double averageBytes, double stateShare, double raw,
        IReadOnlyList<PipelineResult> pipelines, IReadOnlyList<ColdResult> colds, IReadOnlyList<PluginResult> plugins, GatewayResult gateway, IReadOnlyList<string> skipped, TimeSpan took)
    {
        var rows = new List<string[]>
        {
            Row("(a) plain Confluent.Kafka consume loop", "-", $"{N(raw)} records/s", "baseline", "1.000"),
        };
        foreach (var p in pipelines)
        {
            rows.Add(Row("(b) whole pipeline, throttle off: records delivered to Braze", p.Journal,
                $"{N(p.RecordsPerSecond)} records/s ({R(p.RecordsPerSecond / raw)} of (a); {p.DeadLettered} dead-lettered, {p.Skipped} skipped)",
                "target >= 10,000 records/s", R(p.RecordsPerSecond / RecordsTargetPerSecond)));
            rows.Add(Row("(b) as a share of one Braze workspace (records/s x objects per record / 75,000)", p.Journal,
                $"{N(p.RecordsPerSecond * p.ObjectsPerRecord)} objects/s ({p.ObjectsPerRecord:F2} per record)", "ceiling 75,000 objects/s",
                R(p.RecordsPerSecond * p.ObjectsPerRecord / BrazeCeilingObjectsPerSecond)));
            rows.Add(Row("(b) CPU per record: this process (service, mock Kafka, local Braze and catalog, SQLite), all threads", p.Journal,
                $"{p.CpuMillisecondsPerRecord:F2} ms ({p.CpuMillisecondsPerRecord - p.JitMillisecondsPerRecord:F2} without the JIT compiler's share)" + (p.Journal == "PostgreSQL" ? $" + {p.DatabaseCpuMillisecondsPerRecord:F2} ms in the PostgreSQL server" : ""),
                "target <= 0.15 ms", R(p.CpuMillisecondsPerRecord / CpuTargetMs)));
        }
        foreach (var c in colds)
        {
            var warm = pipelines.FirstOrDefault(p => p.Journal == c.Journal);
            rows.Add(Row($"(b) cold: every record a new customer ({N(c.Customers)} customers; the live-entity cap in force)", c.Journal,
                $"{N(c.RecordsPerSecond)} records/s ({c.CpuMillisecondsPerRecord:F2} ms CPU each; peak {c.PeakWorkingSetBytes / 1024 / 1024} MiB)",
                "(b) of the same run", warm is null ? "-" : R(c.RecordsPerSecond / warm.RecordsPerSecond)));
        }
        foreach (var a in plugins)
        {
            var pipeline = pipelines.FirstOrDefault(p => p.Journal == a.Journal);
            rows.Add(Row($"(e) journal plugin alone: {N(a.Actors)} actors persisting {a.EventsPerActor} events each, one per write", a.Journal,
                $"{N(a.WritesPerSecond)} events/s ({a.WriteCpuMs:F2} ms CPU each" + (a.WriteDatabaseCpuMs > 0 ? $" + {a.WriteDatabaseCpuMs:F2} ms in the server)" : ")"),
                "(b) of the same run", pipeline is null ? "-" : R(pipeline.RecordsPerSecond / a.WritesPerSecond)));
            rows.Add(Row($"(e) journal plugin alone: the {N(a.Actors)} actors recovered at once", a.Journal,
                $"{N(a.EntitiesRecoveredPerSecond)} entities/s ({a.RecoveryCpuMs:F2} ms CPU each" + (a.RecoveryDatabaseCpuMs > 0 ? $" + {a.RecoveryDatabaseCpuMs:F2} ms in the server)" : ")"),
                "target >= 5,000 entities/s", R(a.EntitiesRecoveredPerSecond / RecoveryTargetEntitiesPerSecond)));
            rows.Add(Row("(e) journal plugin alone: managed heap per 10,000 of those actors (after a full GC)", a.Journal,
                $"{a.MibPer10000Actors:F0} MiB", "(d)'s entities", pipeline is null ? "-" : R(a.MibPer10000Actors / pipeline.Recovery.MibPer10000Entities)));
        }
        rows.Add(Row("(c) gateway, default throttle", "-", $"{N(gateway.ObjectsPerSecond)} objects/s ({gateway.ObjectsPerRequest:F1} per request)",
            $"limit {N(gateway.LimitObjectsPerSecond)}/s, target >= 0.95", R(gateway.ObjectsPerSecond / gateway.LimitObjectsPerSecond)));
        rows.Add(Row($"(c) requests per {gateway.WindowSeconds:F0} s window, mean / max of {gateway.FullWindows}", "-",
            $"{gateway.MeanRequestsPerWindow:F0} / {gateway.MaxRequestsPerWindow}", $"limit {gateway.RequestsPerWindowLimit}",
            R(gateway.MeanRequestsPerWindow / gateway.RequestsPerWindowLimit)));
        rows.Add(Row("(c) answered 429", "-", gateway.TooManyRequests.ToString(CultureInfo.InvariantCulture), "target 0", "-"));
        foreach (var p in pipelines)
        {
            rows.Add(Row($"(d) event time to Braze p50 / p99, paced at {N(p.LatencyRate)}/s", p.Journal,
                $"{p.LatencyP50Ms:F0} / {p.LatencyP99Ms:F0} ms", "p99 target < 200 ms", R(p.LatencyP99Ms / LatencyTargetMs)));
            rows.Add(Row("(d) peak working set, (b) and (d)", p.Journal, $"{p.PeakWorkingSetBytes / 1024 / 1024} MiB", "target <= 600 MiB",
                R(p.PeakWorkingSetBytes / 1024.0 / 1024 / WorkingSetTargetMib)));
            foreach (var (r, what) in new[] { (p.Recovery, "the workload's customers"), (p.DeepRecovery, "long histories") })
                rows.Add(Row($"(d) recovery, {what}: {N(r.Entities)} entities, {(double)r.Events / r.Entities:F1} events each", p.Journal,
                    $"{N(r.EventsPerSecond)} events/s ({N(r.EntitiesPerSecond)} entities/s)",
                    "target >= 5,000 entities/s", R(r.EntitiesPerSecond / RecoveryTargetEntitiesPerSecond)));
            rows.Add(Row($"(d) managed heap per 10,000 live entities (the workload's {N(p.Recovery.Entities)}, after a full GC)", p.Journal,
                $"{p.Recovery.MibPer10000Entities:F0} MiB", "-", "-"));
        }

        Terminal.WriteLine();
        Terminal.WriteLine($"{records} records of {averageBytes:F0} bytes on average, {stateShare:P0} changing customer state; {Environment.ProcessorCount} cores; took {took.TotalSeconds:F0} s");
        Terminal.WriteLine("| measurement | journal | figure | against | ratio |");
        Terminal.WriteLine("|---|---|---:|---|---:|");
        foreach (var row in rows) Terminal.WriteLine("| " + string.Join(" | ", row) + " |");
        foreach (var reason in skipped) Terminal.WriteLine($"PostgreSQL rows skipped: {reason}");
        Terminal.WriteLine();
        Terminal.WriteLine("Where a record's time goes during (b): the service's crm_stage_duration_seconds, samples and mean per stage");
        Terminal.WriteLine("| stage | journal | samples | mean ms |");
        Terminal.WriteLine("|---|---|---:|---:|");
        foreach (var p in pipelines)
            foreach (var stage in p.Stages)
                Terminal.WriteLine($"| {stage.Stage} | {p.Journal} | {N(stage.Count)} | {stage.MeanMs:F1} |");

        Terminal.WriteLine(JsonSerializer.Serialize(new
        {
            records,
            average_bytes = Math.Round(averageBytes),
            state_changing_share = Math.Round(stateShare, 3),
            cores = Environment.ProcessorCount,
            seconds = Math.Round(took.TotalSeconds),
            raw_records_per_s = Math.Round(raw),
            pipelines = pipelines.Select(p => new
            {
                journal = p.Journal,
                records_per_s = Math.Round(p.RecordsPerSecond),
                to_raw = Math.Round(p.RecordsPerSecond / raw, 4),
                to_target = Math.Round(p.RecordsPerSecond / RecordsTargetPerSecond, 4),
                to_braze_ceiling = Math.Round(p.RecordsPerSecond * p.ObjectsPerRecord / BrazeCeilingObjectsPerSecond, 4),
                dead_lettered = p.DeadLettered,
                skipped = p.Skipped,
                cpu_ms_per_record = Math.Round(p.CpuMillisecondsPerRecord, 3),
                database_cpu_ms_per_record = Math.Round(p.DatabaseCpuMillisecondsPerRecord, 3),
                jit_ms_per_record = Math.Round(p.JitMillisecondsPerRecord, 3),
                braze_requests = p.BrazeRequests,
                braze_objects = p.BrazeObjects,
                latency_rate_per_s = Math.Round(p.LatencyRate),
                latency_events = p.LatencyEvents,
                latency_p50_ms = Math.Round(p.LatencyP50Ms, 1),
                latency_p99_ms = Math.Round(p.LatencyP99Ms, 1),
                peak_working_set_mib = p.PeakWorkingSetBytes / 1024 / 1024,
                recovery = Summary(p.Recovery),
                deep_recovery = Summary(p.DeepRecovery),
                stages = p.Stages.ToDictionary(st => st.Stage, st => new { samples = st.Count, mean_ms = Math.Round(st.MeanMs, 2) }),
            }),
            cold = colds.Select(c => new
            {
                journal = c.Journal,
                customers = c.Customers,
                records_per_s = Math.Round(c.RecordsPerSecond),
                cpu_ms_per_record = Math.Round(c.CpuMillisecondsPerRecord, 3),
                peak_working_set_mib = c.PeakWorkingSetBytes / 1024 / 1024,
            }),
            plugin_alone = plugins.Select(a => new
            {
                journal = a.Journal,
                actors = a.Actors,
                events_per_actor = a.EventsPerActor,
                writes_per_s = Math.Round(a.WritesPerSecond),
                write_cpu_ms = Math.Round(a.WriteCpuMs, 3),
                write_database_cpu_ms = Math.Round(a.WriteDatabaseCpuMs, 3),
                entities_recovered_per_s = Math.Round(a.EntitiesRecoveredPerSecond),
                recovery_cpu_ms = Math.Round(a.RecoveryCpuMs, 3),
                recovery_database_cpu_ms = Math.Round(a.RecoveryDatabaseCpuMs, 3),
                heap_mib_per_10000_actors = Math.Round(a.MibPer10000Actors, 1),
            }),
            gateway = new
            {
                objects_per_s = Math.Round(gateway.ObjectsPerSecond),
                to_limit = Math.Round(gateway.ObjectsPerSecond / gateway.LimitObjectsPerSecond, 4),
                objects_per_request = Math.Round(gateway.ObjectsPerRequest, 1),
                full_windows = gateway.FullWindows,
                requests_per_window_mean = Math.Round(gateway.MeanRequestsPerWindow),
                requests_per_window_max = gateway.MaxRequestsPerWindow,
                requests_per_window_limit = gateway.RequestsPerWindowLimit,
                too_many_requests = gateway.TooManyRequests,
            },
            skipped,
            service_settings = options.ServiceSettings,
        }));
    }

    private static string[] Row(params string[] cells) => cells;

    private static object Summary(Recovery recovery) => new
    {
        entities = recovery.Entities,
        events = recovery.Events,
        events_per_s = Math.Round(recovery.EventsPerSecond),
        entities_per_s = Math.Round(recovery.EntitiesPerSecond),
        heap_mib_per_10000_entities = Math.Round(recovery.MibPer10000Entities, 1),
    };

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string R(double ratio) => ratio.ToString("F3", CultureInfo.InvariantCulture);
}
