using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace MeProp.Benchmarks;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>, found at run time, for the side-by-side row of the GEMM suite
/// (<see cref="GemmBenchmarks.OpenBlas"/>). Loaded with <see cref="NativeLibrary"/> and called through
/// function pointers rather than [DllImport], so that the benchmarks build and run on a machine
/// without OpenBLAS; there the row fails instead of timing anything.
/// </summary>
/// <remarks>
/// <para>
/// OPENBLAS_CORETYPE: a DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels from the CPU when the
/// library loads. 0.3.21 (Debian 12's libopenblas0-pthread) predates AMD Zen 5 (family 26) and
/// does not recognise it as such; where its detection falls short it runs a generic, older kernel.
/// (On the EPYC these benchmarks were written on, which reports AVX-512 with BF16, it picked
/// "Cooperlake", whose SGEMM is the SkylakeX AVX-512 kernel; that is why the core name is printed.)
/// <c>OPENBLAS_CORETYPE=SkylakeX</c> in the environment before the process starts pins its AVX-512
/// kernels. Setting it from .NET (Environment.SetEnvironmentVariable) is too late, and does not
/// reach the C library's environment anyway. BenchmarkDotNet's benchmark processes inherit the
/// environment, so set it on the command line:
/// <code>OPENBLAS_CORETYPE=SkylakeX dotnet run -c Release --project tests/MeProp.Benchmarks -- --filter '*GemmBenchmarks*'</code>
/// Each benchmark process prints the library file it loaded, OPENBLAS_CORETYPE, and the core name
/// OpenBLAS reports (openblas_get_corename), so the table can be read knowing which kernel ran.
/// </para>
/// <para>
/// <see cref="LibraryVariable"/> (MEPROP_OPENBLAS) names a library file to load instead of the
/// system's, e.g. a newer OpenBLAS built locally; a path that does not exist makes the row fail as
/// on a machine without OpenBLAS.
/// </para>
/// </remarks>
public sealed unsafe class NativeBlas
{
    /// <summary>CBLAS_ORDER and CBLAS_TRANSPOSE values of cblas.h.</summary>
    public const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>The environment variable that names a library file to load instead of the system's OpenBLAS.</summary>
    public const string LibraryVariable = "MEPROP_OPENBLAS";

    // void cblas_sgemm(CBLAS_ORDER, CBLAS_TRANSPOSE transA, CBLAS_TRANSPOSE transB, blasint m, blasint n,
    //                  blasint k, float alpha, const float* a, blasint lda, const float* b, blasint ldb,
    //                  float beta, float* c, blasint ldc)
    // with 32-bit blasint (the LP64 libopenblas.so.0; Debian's 64-bit-integer build is libopenblas64).
    // Which kernel it runs is decided when the library loads, from the CPU or OPENBLAS_CORETYPE:
    // 0.3.21 does not know Zen 5 and may fall back to an older kernel; OPENBLAS_CORETYPE=SkylakeX,
    // set before the process starts, pins the AVX-512 ones (see the class remarks).
    private readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged[Cdecl]<int, void> _setNumThreads;

    private NativeBlas(string libraryFile, IntPtr handle)
    {
        LibraryFile = libraryFile;
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        // Required, not optional: without it the row's thread count would be OpenBLAS's default
        // (every core), not the Threads of the case it is compared with.
        _setNumThreads = (delegate* unmanaged[Cdecl]<int, void>)NativeLibrary.GetExport(handle, "openblas_set_num_threads");
        Config = CallString(handle, "openblas_get_config");
        CoreName = CallString(handle, "openblas_get_corename");
    }

    /// <summary>The file loaded: the resolved path where the system reports it, else the name it was loaded by.</summary>
    public string LibraryFile { get; }

    /// <summary>openblas_get_config(): version and build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"; null if not exported.</summary>
    public string? Config { get; }

    /// <summary>openblas_get_corename(): the CPU model whose kernels OpenBLAS picked; null if not exported.</summary>
    public string? CoreName { get; }

    /// <summary>The names tried in order: <see cref="LibraryVariable"/>'s value if set, else the usual names of the platform.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        string? chosen = Environment.GetEnvironmentVariable(LibraryVariable);
        if (!string.IsNullOrEmpty(chosen)) return new[] { chosen };
        if (OperatingSystem.IsWindows()) return new[] { "libopenblas.dll", "openblas.dll" };
        if (OperatingSystem.IsMacOS())
            return new[] { "libopenblas.dylib", "/opt/homebrew/opt/openblas/lib/libopenblas.dylib", "/usr/local/opt/openblas/lib/libopenblas.dylib" };
        return new[] { "libopenblas.so.0", "libopenblas.so" };
    }

    private static readonly Lazy<(NativeBlas? Blas, string Failure)> Loaded = new(Load);

    /// <summary>OpenBLAS, loaded once per process; null (and why in <paramref name="failure"/>) where it is not found.</summary>
    public static NativeBlas? TryGet(out string failure)
    {
        (NativeBlas? blas, failure) = Loaded.Value;
        return blas;
    }

    private static (NativeBlas?, string) Load()
    {
        IReadOnlyList<string> names = Candidates();
        foreach (string name in names)
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr handle)) continue;
            try
            {
                return (new NativeBlas(ResolvedFile(name), handle), "");
            }
            catch (EntryPointNotFoundException e)
            {
                return (null, $"{name} loaded but is not OpenBLAS ({e.Message})");
            }
        }
        return (null, $"OpenBLAS not found ({string.Join(", ", names)})");
    }

    /// <summary>The number of threads OpenBLAS may use (openblas_set_num_threads).</summary>
    public void SetThreads(int threads) => _setNumThreads(threads);

    /// <summary>
    /// cblas_sgemm in row-major order: C (m x n, row stride ldc) = alpha·op(A)·op(B) + beta·C, op
    /// being <see cref="NoTrans"/> or <see cref="Trans"/>. The spans are checked to cover the
    /// operands, so a wrong shape throws here rather than reading or writing past them.
    /// </summary>
    public void Sgemm(int transA, int transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // Row-major op(A) is m x k: A is m rows of lda (NoTrans) or k rows of lda (Trans); likewise B.
        Check(a.Length, transA == NoTrans ? m : k, transA == NoTrans ? k : m, lda, "A");
        Check(b.Length, transB == NoTrans ? k : n, transB == NoTrans ? n : k, ldb, "B");
        Check(c.Length, m, n, ldc, "C");
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    private static void Check(int length, int rows, int columns, int stride, string name)
    {
        if (stride < columns || (rows > 0 && length < (long)(rows - 1) * stride + columns))
            throw new ArgumentException($"{name}: {length} floats do not hold {rows} rows of {columns} with stride {stride}.");
    }

    private static string? CallString(IntPtr handle, string export)
    {
        if (!NativeLibrary.TryGetExport(handle, export, out IntPtr address)) return null;
        var function = (delegate* unmanaged[Cdecl]<byte*>)address;
        return Marshal.PtrToStringUTF8((IntPtr)function())?.Trim();
    }

    // dlopen of "libopenblas.so.0" goes through symbolic links (Debian's alternatives choose between
    // the pthread, OpenMP and serial builds), so the mapped file is the one worth printing.
    private static string ResolvedFile(string name)
    {
        if (!OperatingSystem.IsLinux()) return name;
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith("libopenblas", StringComparison.Ordinal))
                    return line.Substring(slash);
            }
        }
        catch (IOException)
        {
        }
        return name;
    }
}
