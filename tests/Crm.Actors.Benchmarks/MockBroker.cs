namespace Crm.Actors.Benchmarks;

/// <summary>How the benchmark's consumers talk to librdkafka's mock broker (see PipelineRun).</summary>
public static class MockBroker
{
    public const string FetchWaitMs = "10";
}
