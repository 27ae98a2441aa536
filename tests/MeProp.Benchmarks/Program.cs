using BenchmarkDotNet.Running;

namespace MeProp.Benchmarks;

// dotnet run -c Release --project tests/MeProp.Benchmarks -- --filter '*Gemm*'
// (see docs/benchmarks.md for the suites and the command behind each table).
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
}
