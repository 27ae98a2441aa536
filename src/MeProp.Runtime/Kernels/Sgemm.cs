using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace MeProp.Kernels;

/// <summary>
/// Blocked, packed single-precision matrix product C (+)= op(A)·op(B) for the three forms of
/// <see cref="Gemm"/>. Callers have checked the span lengths; this works on raw pointers.
/// </summary>
/// <remarks>
/// The structure is the usual one for cache-blocked GEMM: C is cut into NC-wide column blocks,
/// K into KC-deep slices and the rows into MC-tall blocks. For each (column block, K slice) the
/// slice of B is packed once into NR-wide panels laid out p-major (NR consecutive values per p),
/// and for each row block the slice of A is packed into MR-tall panels (MR values per p). The
/// micro-kernel then multiplies one A panel by one B panel, keeping the whole MR x NR tile of C
/// in registers for the KC steps. Packing is where the forms differ (which of A, B is read along
/// its rows), so one micro-kernel serves all three; packing pads the edges with zeros, so the
/// micro-kernel never sees a partial tile and edge tiles are written through a scratch tile.
/// </remarks>
internal static unsafe partial class Sgemm
{
    /// <summary>Whether a vectorised micro-kernel exists for this machine; without one, <see cref="Gemm"/> keeps its row forms.</summary>
    public static bool IsSupported => Kind != KernelKind.None;

    private enum KernelKind { None, V512, V256 }

    // Vector512 needs AVX-512F and is only worth it where the JIT reports it accelerated (on some
    // cores it is emulated with two 256-bit halves and would only add register pressure). The
    // Vector256 kernel needs FMA: without it Vector256.FusedMultiplyAdd is a software loop.
    private static readonly KernelKind Kind =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? KernelKind.V512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? KernelKind.V256
        : KernelKind.None;

    // Micro-tile: 8 x 32 for Vector512 holds 16 accumulators (two zmm per row): at least the FMA
    // latency times the FMAs issued per cycle (4 x 2 on current x64 cores) so the FMA units never
    // wait, with the two B vectors and the broadcast still within the 32 zmm registers. For
    // Vector256 (16 registers) 6 x 16 uses 12 accumulators, two B vectors and one broadcast.
    // What limits it (DOTNET_JitDisasm of Kernel8x32): the loop body is 2 zmm loads of B, 8
    // vbroadcastss from memory, 16 vfmadd231ps with no spill and 5 scalar instructions, so per step
    // it needs 8 cycles of the two FMA pipes and only 10 loads (5 cycles of the two 512-bit load
    // ports): it is bound by the FMA pipes. Measured alone on packed panels on the 2-core Zen 5
    // EPYC it runs at 211-214 GFLOP/s against 212-220 for a register-only FMA loop (the machine's
    // peak, MachinePeak in the benchmarks), 95-100%; 12 x 32 measured the same, so the smaller tile
    // wins on edge waste.
    private static readonly int MR = Kind == KernelKind.V512 ? 8 : 6;
    private static readonly int NR = Kind == KernelKind.V512 ? 32 : 16;

    // Cache blocking. Zen 5's L2 streams a packed B panel into the FMAs as fast as L1 does: with
    // the loops below on packed data, a B panel of kc x 32 runs at 212 GFLOP/s for kc = 256 (32 KiB,
    // L1-resident) and 218-220 for kc = 512-1024 (64-128 KiB, from L2). So the K slice is long, which
    // matters once the product is larger than the caches: every K slice reads and writes all of C
    // once more, and at 1024x8192x8192 with kc = 256 those 32 passes over a 32 MB C took a tenth of
    // the time. MC x KC of packed A (at most 384 KiB) stays in the 1 MiB L2 for all column panels;
    // the KC x NC block of packed B (at most 4 MiB) lives in L3. Measured against the old 256 /
    // 192 / 4096 (GFLOP/s, one core, best of 8 interleaved rounds, forms x·Wᵀ / A·B / Aᵀ·B):
    // 1024x784x500 192/188/177 -> 199/195/174, 10000x2400x500 166/166/164 -> 182/184/180,
    // 1024x8192x8192 164/160/172 -> 188/175/184; NC = 2048 or 4096 with KC = 1024 lost 3-6% at the
    // large shape, MC 64-192 were within the noise. KC and MC are maxima: the actual sizes split K
    // and M evenly, so K = 2400 runs as three slices of 800 rather than two of 1024 and a thin one.
    private const int KcMax = 1024;
    private const int McMax = 96;
    private const int NcMax = 1024;

    // Packed A shared by all column blocks (RunBlock's shareA): at most 2M floats, 8 MB, which
    // stays in the 32 MiB L3 (1024 rows x a K slice of 1024 need 1M).
    private const int SharedAMaxFloats = 2 << 20;

    /// <summary>How op(A) and op(B) are stored: element (i, p) of op(A) is a[i·aRow + p·aCol].</summary>
    private readonly struct Operands
    {
        public readonly float* A, B, C;
        public readonly int ARow, ACol, BRow, BCol, Ldc;

        public Operands(float* a, int aRow, int aCol, float* b, int bRow, int bCol, float* c, int ldc)
        {
            A = a; ARow = aRow; ACol = aCol; B = b; BRow = bRow; BCol = bCol; C = c; Ldc = ldc;
        }
    }

    /// <summary>C (m x n) (+)= A (m x k) · Bᵀ, B being n x k.</summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Operands(pa, k, 1, pb, 1, k, pc, n), m, k, n, accumulate);
    }

    /// <summary>C (m x n) (+)= A · Bᵀ on row-strided operands (row i of A at a[i·lda], row j of B at b[j·ldb], row i of C at c[i·ldc]).</summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int k, int n, bool accumulate)
    {
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Operands(pa, lda, 1, pb, 1, ldb, pc, ldc), m, k, n, accumulate);
    }

    /// <summary>C (m x n) (+)= A (m x k) · B (k x n).</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Operands(pa, k, 1, pb, n, 1, pc, n), m, k, n, accumulate);
    }

    /// <summary>C (m x n) (+)= Aᵀ · B, A being k x m and B k x n.</summary>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Operands(pa, 1, m, pb, n, 1, pc, n), m, k, n, accumulate);
    }

    private static void Run(in Operands op, int m, int k, int n, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            // An empty sum: C = 0, or C unchanged when accumulating.
            if (!accumulate)
                for (int i = 0; i < m; i++) new Span<float>(op.C + (long)i * op.Ldc, n).Clear();
            return;
        }
        if (!TryRunParallel(op, m, k, n, accumulate))
            RunBlock(op, 0, m, 0, n, k, accumulate);
    }

    /// <summary>The single-threaded blocked product for rows [i0, i1) and columns [j0, j1) of C.</summary>
    // The hot methods skip tiering: at tier 0 (and through on-stack replacement) a product runs ten
    // times slower for the first thousands of calls, which distorts short runs and benchmarks.
    // Gemm reads IsSupported first, so the static readonly parameters are set when these are
    // compiled and the JIT still folds them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlock(in Operands op, int i0, int i1, int j0, int j1, int k, bool accumulate)
    {
        int mr = MR, nr = NR;
        int m = i1 - i0, n = j1 - j0;
        int kc = EvenSplit(k, KcMax, 1);
        int mc = EvenSplit(m, McMax, mr);
        int nc = EvenSplit(n, NcMax, nr);
        // With more than one column block, each block would pack the same rows of A again: 8 times
        // at n = 8192, a pass over all of A per block. When A's whole K slice fits the budget, the
        // K slices go outside instead: each slice of A is packed once, its row blocks end to end,
        // and every column block reads it. Each tile of C still gets the slices in order, so the
        // results are the same bits.
        bool shareA = n > nc && (long)RoundUp(m, mr) * kc <= SharedAMaxFloats;
        PackBuffers buffers = PackBuffers.ForThisThread(shareA ? RoundUp(m, mr) * kc : mc * kc, kc * RoundUp(nc, nr));
        float* ap = buffers.A, bp = buffers.B;
        float* tile = stackalloc float[8 * 32]; // the larger of the two micro-tiles

        if (shareA)
        {
            for (int pc = 0; pc < k; pc += kc)
            {
                int kcCur = Math.Min(kc, k - pc);
                bool overwrite = pc == 0 && !accumulate;
                for (int ic = i0; ic < i1; ic += mc)
                    PackA(op, ic, Math.Min(mc, i1 - ic), pc, kcCur, ap + (long)(ic - i0) * kcCur, mr);
                for (int jc = j0; jc < j1; jc += nc)
                {
                    int ncCur = Math.Min(nc, j1 - jc);
                    PackB(op, pc, kcCur, jc, ncCur, bp, nr);
                    for (int ic = i0; ic < i1; ic += mc)
                        MultiplyPacked(op, ap + (long)(ic - i0) * kcCur, bp, ic, Math.Min(mc, i1 - ic), jc, ncCur, kcCur, overwrite, tile);
                }
            }
            return;
        }

        for (int jc = j0; jc < j1; jc += nc)
        {
            int ncCur = Math.Min(nc, j1 - jc);
            for (int pc = 0; pc < k; pc += kc)
            {
                int kcCur = Math.Min(kc, k - pc);
                // The first K slice overwrites C unless the caller asked to accumulate; later slices add.
                bool overwrite = pc == 0 && !accumulate;
                PackB(op, pc, kcCur, jc, ncCur, bp, nr);
                for (int ic = i0; ic < i1; ic += mc)
                {
                    int mcCur = Math.Min(mc, i1 - ic);
                    PackA(op, ic, mcCur, pc, kcCur, ap, mr);
                    MultiplyPacked(op, ap, bp, ic, mcCur, jc, ncCur, kcCur, overwrite, tile);
                }
            }
        }
    }

    /// <summary>C[ic.., jc..] (+)= one packed row block of A (mcCur rows) times one packed column block of B (ncCur columns), K slice kcCur.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPacked(in Operands op, float* ap, float* bp, int ic, int mcCur, int jc, int ncCur, int kcCur, bool overwrite, float* tile)
    {
        int mr = MR, nr = NR;
        for (int jr = 0; jr < ncCur; jr += nr)
        {
            int nValid = Math.Min(nr, ncCur - jr);
            float* bPanel = bp + (long)jr * kcCur;
            for (int ir = 0; ir < mcCur; ir += mr)
            {
                int mValid = Math.Min(mr, mcCur - ir);
                float* aPanel = ap + (long)ir * kcCur;
                float* cTile = op.C + (long)(ic + ir) * op.Ldc + jc + jr;
                if (mValid == mr && nValid == nr)
                {
                    MicroKernel(kcCur, aPanel, bPanel, cTile, op.Ldc, overwrite);
                }
                else
                {
                    // Edge tile: compute the full padded tile into scratch, then copy or add the valid part.
                    MicroKernel(kcCur, aPanel, bPanel, tile, nr, overwrite: true);
                    for (int i = 0; i < mValid; i++)
                    {
                        float* ci = cTile + (long)i * op.Ldc;
                        float* ti = tile + i * nr;
                        if (overwrite)
                            for (int j = 0; j < nValid; j++) ci[j] = ti[j];
                        else
                            for (int j = 0; j < nValid; j++) ci[j] += ti[j];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(int kc, float* a, float* b, float* c, int ldc, bool overwrite)
    {
        if (Kind == KernelKind.V512) Kernel8x32(kc, a, b, c, ldc, overwrite);
        else Kernel6x16(kc, a, b, c, ldc, overwrite);
    }

    /// <summary>
    /// Splits <paramref name="total"/> into the fewest blocks of at most <paramref name="max"/>,
    /// of nearly equal size rounded up to a multiple of <paramref name="unit"/>.
    /// </summary>
    private static int EvenSplit(int total, int max, int unit)
    {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        return Math.Min(RoundUp(size, unit), RoundUp(max, unit));
    }

    private static int RoundUp(int value, int unit) => (value + unit - 1) / unit * unit;
}
