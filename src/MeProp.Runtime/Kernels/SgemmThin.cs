using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MeProp.Kernels;

// Products without packing: those with few rows of C (a mini-batch of a few examples) and, for
// C = A·B and C = Aᵀ·B, the single-threaded products whose op(A) stays in L2 (see Gemm.UseThinAxpy).
//
// Why: the blocked kernel packs B on every call. When C has only a handful of rows, each packed
// value of B is used by those few rows only, so packing (a strided copy of all of B, which is the
// layer's whole weight matrix) costs as much as the arithmetic: the MNIST products at batch 10
// (10x500x784) ran at 43-45 GFLOP/s, under 40% of one core's peak. Here B is read once, in place:
// - C = A·Bᵀ (the forward y = x·Wᵀ): B's rows are contiguous along the reduction, so a tile of
//   up to 5 rows of A by 4 rows of B keeps 20 dot-product accumulators in zmm registers, and the
//   20 sums are reduced horizontally once per tile, after the whole reduction.
// - C = A·B (the input gradient dx = dY·W) and C = Aᵀ·B (the weight gradient dW = dYᵀ·X, here
//   for few output rows, as in unified mode's compacted product): B's rows run along C's columns,
//   so a tile of up to 5 rows of C by 64 columns keeps 20 accumulators (5 rows x 4 vectors) and
//   broadcasts op(A); the two forms differ only in A's strides.
// Per step of either loop: at most 9 vector loads or broadcasts feed 20 FMAs, so the FMA units,
// not the load ports, are the limit. Loops run over groups of B (rows or column strips) on the
// outside and over A's row chunks inside, so B is streamed from memory once per call and A (a few
// rows) stays in L1/L2.
//
// The tile sizes are compile-time constants carried by type arguments (ITileCount): each
// instantiation is its own method in which the JIT drops the accumulators and branches that the
// tile does not use, so one kernel body serves the 1-5 x 1-4 edge tiles without spilling.
internal static unsafe partial class Sgemm
{
    /// <summary>Rows of C up to which the unpacked dot-product kernel may replace the blocked one (measured: see Gemm.UseThin).</summary>
    public const int ThinMaxRows = 32;

    /// <summary>Whether the unpacked few-row kernels exist on this machine (they are written for Vector512).</summary>
    public static bool ThinIsSupported => Kind == KernelKind.V512;

    private interface ITileCount { static abstract int Value { get; } }
    private struct One : ITileCount { public static int Value => 1; }
    private struct Two : ITileCount { public static int Value => 2; }
    private struct Three : ITileCount { public static int Value => 3; }
    private struct Four : ITileCount { public static int Value => 4; }
    private struct Five : ITileCount { public static int Value => 5; }

    /// <summary>C (m x n) (+)= A (m x k) · Bᵀ, B being n x k, for few rows m; B read once, unpacked.</summary>
    public static void ThinMultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
        => ThinMultiplyTransposedB(a, k, b, k, c, n, m, k, n, accumulate);

    /// <summary>
    /// The same product on row-strided operands: row i of A starts at a[i·lda], row j of B at
    /// b[j·ldb], row i of C at c[i·ldc]. A column block of a matrix is such an operand, which lets a
    /// recurrence multiply by part of a weight matrix without copying it (Gemm.MultiplyTransposedB's
    /// strided overload).
    /// </summary>
    public static void ThinMultiplyTransposedB(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int k, int n, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var op = new Operands(pa, lda, 1, pb, 1, ldb, pc, ldc);
            if (!TryRunThinDotParallel(op, m, k, n, accumulate)) DotColumnRange(op, m, k, 0, n, accumulate);
        }
    }

    // Columns [j0, j1) of C = A·Bᵀ: every row of A against groups of 4 rows of B. Each entry of C is
    // its own dot product, computed the same way whichever range it falls in, so a product cut into
    // column ranges (two threads) gives the same bits as one range.
    private static void DotColumnRange(in Operands op, int m, int k, int j0, int j1, bool accumulate)
    {
        float* a = op.A, b = op.B, c = op.C;
        int lda = op.ARow, ldb = op.BCol, ldc = op.Ldc;
        int j = j0;
        for (; j + 4 <= j1; j += 4) DotColumns<Four>(a, lda, b + (long)j * ldb, ldb, c + j, m, k, ldc, accumulate);
        switch (j1 - j)
        {
            case 1: DotColumns<One>(a, lda, b + (long)j * ldb, ldb, c + j, m, k, ldc, accumulate); break;
            case 2: DotColumns<Two>(a, lda, b + (long)j * ldb, ldb, c + j, m, k, ldc, accumulate); break;
            case 3: DotColumns<Three>(a, lda, b + (long)j * ldb, ldb, c + j, m, k, ldc, accumulate); break;
        }
    }

    // Every row of A against TC consecutive rows of B (TC columns of C).
    private static void DotColumns<TC>(float* a, int lda, float* b, int ldb, float* c, int m, int k, int ldc, bool accumulate) where TC : struct, ITileCount
    {
        int i = 0;
        for (; i + 5 <= m; i += 5) DotTile<Five, TC>(a + (long)i * lda, lda, b, ldb, c + (long)i * ldc, k, ldc, accumulate);
        switch (m - i)
        {
            case 1: DotTile<One, TC>(a + (long)i * lda, lda, b, ldb, c + (long)i * ldc, k, ldc, accumulate); break;
            case 2: DotTile<Two, TC>(a + (long)i * lda, lda, b, ldb, c + (long)i * ldc, k, ldc, accumulate); break;
            case 3: DotTile<Three, TC>(a + (long)i * lda, lda, b, ldb, c + (long)i * ldc, k, ldc, accumulate); break;
            case 4: DotTile<Four, TC>(a + (long)i * lda, lda, b, ldb, c + (long)i * ldc, k, ldc, accumulate); break;
        }
    }

    /// <summary>C[r, q] (+)= Σ_p a[r·k + p]·b[q·k + p] for r &lt; TR, q &lt; TC: TR·TC dot products of length k at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile<TR, TC>(float* a, int lda, float* b, int ldb, float* c, int k, int ldc, bool accumulate)
        where TR : struct, ITileCount where TC : struct, ITileCount
    {
        int rows = TR.Value, cols = TC.Value;
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda;
        float* b1 = b + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        Vector512<float> s40 = default, s41 = default, s42 = default, s43 = default;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            Vector512<float> v0 = Vector512.Load(b + p);
            Vector512<float> v1 = cols > 1 ? Vector512.Load(b1 + p) : default;
            Vector512<float> v2 = cols > 2 ? Vector512.Load(b2 + p) : default;
            Vector512<float> v3 = cols > 3 ? Vector512.Load(b3 + p) : default;
            Vector512<float> u = Vector512.Load(a + p);
            s00 = Vector512.FusedMultiplyAdd(u, v0, s00);
            if (cols > 1) s01 = Vector512.FusedMultiplyAdd(u, v1, s01);
            if (cols > 2) s02 = Vector512.FusedMultiplyAdd(u, v2, s02);
            if (cols > 3) s03 = Vector512.FusedMultiplyAdd(u, v3, s03);
            if (rows > 1)
            {
                u = Vector512.Load(a1 + p);
                s10 = Vector512.FusedMultiplyAdd(u, v0, s10);
                if (cols > 1) s11 = Vector512.FusedMultiplyAdd(u, v1, s11);
                if (cols > 2) s12 = Vector512.FusedMultiplyAdd(u, v2, s12);
                if (cols > 3) s13 = Vector512.FusedMultiplyAdd(u, v3, s13);
            }
            if (rows > 2)
            {
                u = Vector512.Load(a2 + p);
                s20 = Vector512.FusedMultiplyAdd(u, v0, s20);
                if (cols > 1) s21 = Vector512.FusedMultiplyAdd(u, v1, s21);
                if (cols > 2) s22 = Vector512.FusedMultiplyAdd(u, v2, s22);
                if (cols > 3) s23 = Vector512.FusedMultiplyAdd(u, v3, s23);
            }
            if (rows > 3)
            {
                u = Vector512.Load(a3 + p);
                s30 = Vector512.FusedMultiplyAdd(u, v0, s30);
                if (cols > 1) s31 = Vector512.FusedMultiplyAdd(u, v1, s31);
                if (cols > 2) s32 = Vector512.FusedMultiplyAdd(u, v2, s32);
                if (cols > 3) s33 = Vector512.FusedMultiplyAdd(u, v3, s33);
            }
            if (rows > 4)
            {
                u = Vector512.Load(a4 + p);
                s40 = Vector512.FusedMultiplyAdd(u, v0, s40);
                if (cols > 1) s41 = Vector512.FusedMultiplyAdd(u, v1, s41);
                if (cols > 2) s42 = Vector512.FusedMultiplyAdd(u, v2, s42);
                if (cols > 3) s43 = Vector512.FusedMultiplyAdd(u, v3, s43);
            }
        }
        if (p < k && k >= 16)
        {
            // The last k mod 16 products: one more step over the last 16 values of every row, with
            // the lanes already summed above (before p) zeroed in both operands, so they add exact
            // zeros. A scalar tail here cost more than the vector loop itself at the tagger's
            // k = 190 (14 scalar multiply-adds for each of the tile's 20 dot products).
            Vector512<float> keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(16 - (k - p))).AsSingle();
            int q = k - 16;
            Vector512<float> v0 = Vector512.Load(b + q) & keep;
            Vector512<float> v1 = cols > 1 ? Vector512.Load(b1 + q) & keep : default;
            Vector512<float> v2 = cols > 2 ? Vector512.Load(b2 + q) & keep : default;
            Vector512<float> v3 = cols > 3 ? Vector512.Load(b3 + q) & keep : default;
            Vector512<float> u = Vector512.Load(a + q) & keep;
            s00 = Vector512.FusedMultiplyAdd(u, v0, s00);
            if (cols > 1) s01 = Vector512.FusedMultiplyAdd(u, v1, s01);
            if (cols > 2) s02 = Vector512.FusedMultiplyAdd(u, v2, s02);
            if (cols > 3) s03 = Vector512.FusedMultiplyAdd(u, v3, s03);
            if (rows > 1)
            {
                u = Vector512.Load(a1 + q) & keep;
                s10 = Vector512.FusedMultiplyAdd(u, v0, s10);
                if (cols > 1) s11 = Vector512.FusedMultiplyAdd(u, v1, s11);
                if (cols > 2) s12 = Vector512.FusedMultiplyAdd(u, v2, s12);
                if (cols > 3) s13 = Vector512.FusedMultiplyAdd(u, v3, s13);
            }
            if (rows > 2)
            {
                u = Vector512.Load(a2 + q) & keep;
                s20 = Vector512.FusedMultiplyAdd(u, v0, s20);
                if (cols > 1) s21 = Vector512.FusedMultiplyAdd(u, v1, s21);
                if (cols > 2) s22 = Vector512.FusedMultiplyAdd(u, v2, s22);
                if (cols > 3) s23 = Vector512.FusedMultiplyAdd(u, v3, s23);
            }
            if (rows > 3)
            {
                u = Vector512.Load(a3 + q) & keep;
                s30 = Vector512.FusedMultiplyAdd(u, v0, s30);
                if (cols > 1) s31 = Vector512.FusedMultiplyAdd(u, v1, s31);
                if (cols > 2) s32 = Vector512.FusedMultiplyAdd(u, v2, s32);
                if (cols > 3) s33 = Vector512.FusedMultiplyAdd(u, v3, s33);
            }
            if (rows > 4)
            {
                u = Vector512.Load(a4 + q) & keep;
                s40 = Vector512.FusedMultiplyAdd(u, v0, s40);
                if (cols > 1) s41 = Vector512.FusedMultiplyAdd(u, v1, s41);
                if (cols > 2) s42 = Vector512.FusedMultiplyAdd(u, v2, s42);
                if (cols > 3) s43 = Vector512.FusedMultiplyAdd(u, v3, s43);
            }
            p = k;
        }
        // A reduction shorter than one vector (k < 16) finishes in scalar code in WriteDots.
        WriteDots<TC>(c, a, b, ldb, p, k, SumColumns(s00, s01, s02, s03), accumulate);
        if (rows > 1) WriteDots<TC>(c + ldc, a1, b, ldb, p, k, SumColumns(s10, s11, s12, s13), accumulate);
        if (rows > 2) WriteDots<TC>(c + 2 * ldc, a2, b, ldb, p, k, SumColumns(s20, s21, s22, s23), accumulate);
        if (rows > 3) WriteDots<TC>(c + 3 * ldc, a3, b, ldb, p, k, SumColumns(s30, s31, s32, s33), accumulate);
        if (rows > 4) WriteDots<TC>(c + 4 * ldc, a4, b, ldb, p, k, SumColumns(s40, s41, s42, s43), accumulate);
    }

    /// <summary>
    /// The horizontal sums of four accumulators at once, lane j of the result being the sum of sj.
    /// Each lane is computed from its own accumulator only, by the same additions in the same order,
    /// so an entry of C gets the same bits whether its column falls in a group of four or an edge
    /// group (which passes zeros for the missing accumulators), and so whichever column range,
    /// hence thread, computes it. One shared tree instead of four Vector512.Sum: about half the
    /// shuffles and adds, which a short reduction (the tagger's k = 190: 12 steps) does not amortise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumColumns(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        // Lane l of each 256-bit half sum: s[l] + s[l + 8].
        Vector256<float> h0 = s0.GetLower() + s0.GetUpper(), h1 = s1.GetLower() + s1.GetUpper();
        Vector256<float> h2 = s2.GetLower() + s2.GetUpper(), h3 = s3.GetLower() + s3.GetUpper();
        // Pairwise sums within each 128-bit lane: (h0[0]+h0[1], h0[2]+h0[3], h1[0]+h1[1], h1[2]+h1[3] | the same of lanes 4-7).
        Vector256<float> p01 = Avx.HorizontalAdd(h0, h1), p23 = Avx.HorizontalAdd(h2, h3);
        // (sum of h0[0..3], of h1[0..3], of h2[0..3], of h3[0..3] | the same of lanes 4-7).
        Vector256<float> quads = Avx.HorizontalAdd(p01, p23);
        return quads.GetLower() + quads.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDots<TC>(float* c, float* a, float* b, int ldb, int from, int k, Vector128<float> sums, bool accumulate)
        where TC : struct, ITileCount
    {
        if (TC.Value == 4 && from == k)
        {
            Vector128<float> result = accumulate ? Vector128.Load(c) + sums : sums;
            result.Store(c);
            return;
        }
        for (int q = 0; q < TC.Value; q++)
        {
            float sum = sums.GetElement(q);
            float* bq = b + (long)q * ldb;
            for (int p = from; p < k; p++) sum = MathF.FusedMultiplyAdd(a[p], bq[p], sum);
            c[q] = accumulate ? c[q] + sum : sum;
        }
    }

    /// <summary>C (m x n) (+)= A (m x k) · B (k x n), for few rows m; B read once, unpacked.</summary>
    public static void ThinMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        fixed (float* pa = a, pb = b, pc = c)
            ThinAxpy(pa, k, 1, pb, pc, m, k, n, accumulate);
    }

    /// <summary>C (m x n) (+)= Aᵀ · B, A being k x m and B k x n, for few rows m; B read once, unpacked.</summary>
    public static void ThinMultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        fixed (float* pa = a, pb = b, pc = c)
            ThinAxpy(pa, 1, m, pb, pc, m, k, n, accumulate);
    }

    // C (m x n) (+)= op(A) · B with op(A)[i, p] = a[i·ars + p·acs]: the two forms differ only in A's strides.
    private static void ThinAxpy(float* pa, int ars, int acs, float* pb, float* pc, int m, int k, int n, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate) new Span<float>(pc, m * n).Clear();
            return;
        }
        // A strip of B (kc rows of 64 columns) is reused by every row chunk of A from L2: at
        // most 1024 rows (256 KiB) per slice; later slices add to what the first one wrote.
        // Measured at 32x2048 from K = 2048, one slice: 56 GFLOP/s; K = 1024: 92.
        int slices = (k + ThinKcMax - 1) / ThinKcMax, kc = (k + slices - 1) / slices;
        for (int p0 = 0; p0 < k; p0 += kc)
            AxpyColumnRange(pa + (long)p0 * acs, ars, acs, pb + (long)p0 * n, n, pc, n, m, Math.Min(kc, k - p0), 0, n, accumulate || p0 > 0);
    }

    // Columns [j0, j1) of C (+)= op(A)·B over k rows of B: 64-column strips, then one to three
    // vectors, then the last n mod 16 columns.
    private static void AxpyColumnRange(float* a, int ars, int acs, float* b, int ldb, float* c, int ldc, int m, int k, int j0, int j1, bool accumulate)
    {
        int j = j0;
        for (; j + 64 <= j1; j += 64) AxpyColumns<Four>(a, ars, acs, b + j, ldb, c + j, ldc, m, k, accumulate);
        switch ((j1 - j) / 16)
        {
            case 1: AxpyColumns<One>(a, ars, acs, b + j, ldb, c + j, ldc, m, k, accumulate); break;
            case 2: AxpyColumns<Two>(a, ars, acs, b + j, ldb, c + j, ldc, m, k, accumulate); break;
            case 3: AxpyColumns<Three>(a, ars, acs, b + j, ldb, c + j, ldc, m, k, accumulate); break;
        }
        j += (j1 - j) / 16 * 16;
        if (j < j1) AxpyNarrowTail(a, ars, acs, b + j, ldb, c + j, ldc, m, k, j1 - j, accumulate);
    }

    private const int ThinKcMax = 1024;

    // Every row of A against a strip of TV·16 columns of B.
    private static void AxpyColumns<TV>(float* a, int ars, int acs, float* b, int ldb, float* c, int ldc, int m, int k, bool accumulate) where TV : struct, ITileCount
    {
        int i = 0;
        for (; i + 5 <= m; i += 5) AxpyTile<Five, TV>(a + (long)i * ars, ars, acs, k, b, ldb, c + (long)i * ldc, ldc, accumulate);
        switch (m - i)
        {
            case 1: AxpyTile<One, TV>(a + (long)i * ars, ars, acs, k, b, ldb, c + (long)i * ldc, ldc, accumulate); break;
            case 2: AxpyTile<Two, TV>(a + (long)i * ars, ars, acs, k, b, ldb, c + (long)i * ldc, ldc, accumulate); break;
            case 3: AxpyTile<Three, TV>(a + (long)i * ars, ars, acs, k, b, ldb, c + (long)i * ldc, ldc, accumulate); break;
            case 4: AxpyTile<Four, TV>(a + (long)i * ars, ars, acs, k, b, ldb, c + (long)i * ldc, ldc, accumulate); break;
        }
    }

    // The last n mod 16 columns: copied, zero-padded to 16, into a k x 16 scratch panel so the
    // one-vector tile can run on them, with C's part written through a scratch tile.
    private static void AxpyNarrowTail(float* a, int ars, int acs, float* b, int ldb, float* c, int ldc, int m, int k, int width, bool accumulate)
    {
        PackBuffers buffers = PackBuffers.ForThisThread(0, k * 16);
        float* panel = buffers.B;
        for (int p = 0; p < k; p++)
        {
            float* src = b + (long)p * ldb;
            float* dst = panel + p * 16;
            for (int q = 0; q < 16; q++) dst[q] = q < width ? src[q] : 0f;
        }
        float* tile = stackalloc float[5 * 16];
        for (int i = 0; i < m; i += 5)
        {
            int rows = Math.Min(5, m - i);
            float* ai = a + (long)i * ars;
            switch (rows)
            {
                case 1: AxpyTile<One, One>(ai, ars, acs, k, panel, 16, tile, 16, accumulate: false); break;
                case 2: AxpyTile<Two, One>(ai, ars, acs, k, panel, 16, tile, 16, accumulate: false); break;
                case 3: AxpyTile<Three, One>(ai, ars, acs, k, panel, 16, tile, 16, accumulate: false); break;
                case 4: AxpyTile<Four, One>(ai, ars, acs, k, panel, 16, tile, 16, accumulate: false); break;
                default: AxpyTile<Five, One>(ai, ars, acs, k, panel, 16, tile, 16, accumulate: false); break;
            }
            for (int r = 0; r < rows; r++)
            {
                float* ci = c + (long)(i + r) * ldc;
                for (int q = 0; q < width; q++) ci[q] = accumulate ? ci[q] + tile[r * 16 + q] : tile[r * 16 + q];
            }
        }
    }

    /// <summary>C[r, 16v .. 16v+16) (+)= Σ_{p &lt; k} a[r·ars + p·acs]·b[p·ldb + 16v ..] for r &lt; TR, v &lt; TV.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyTile<TR, TV>(float* a, int ars, int acs, int k, float* b, int ldb, float* c, int ldc, bool accumulate)
        where TR : struct, ITileCount where TV : struct, ITileCount
    {
        int rows = TR.Value, vectors = TV.Value;
        float* a1 = a + ars, a2 = a1 + ars, a3 = a2 + ars, a4 = a3 + ars;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        Vector512<float> s40 = default, s41 = default, s42 = default, s43 = default;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + (long)p * ldb;
            long at = (long)p * acs;
            Vector512<float> v0 = Vector512.Load(bp);
            Vector512<float> v1 = vectors > 1 ? Vector512.Load(bp + 16) : default;
            Vector512<float> v2 = vectors > 2 ? Vector512.Load(bp + 32) : default;
            Vector512<float> v3 = vectors > 3 ? Vector512.Load(bp + 48) : default;
            Vector512<float> u = Vector512.Create(a[at]);
            s00 = Vector512.FusedMultiplyAdd(u, v0, s00);
            if (vectors > 1) s01 = Vector512.FusedMultiplyAdd(u, v1, s01);
            if (vectors > 2) s02 = Vector512.FusedMultiplyAdd(u, v2, s02);
            if (vectors > 3) s03 = Vector512.FusedMultiplyAdd(u, v3, s03);
            if (rows > 1)
            {
                u = Vector512.Create(a1[at]);
                s10 = Vector512.FusedMultiplyAdd(u, v0, s10);
                if (vectors > 1) s11 = Vector512.FusedMultiplyAdd(u, v1, s11);
                if (vectors > 2) s12 = Vector512.FusedMultiplyAdd(u, v2, s12);
                if (vectors > 3) s13 = Vector512.FusedMultiplyAdd(u, v3, s13);
            }
            if (rows > 2)
            {
                u = Vector512.Create(a2[at]);
                s20 = Vector512.FusedMultiplyAdd(u, v0, s20);
                if (vectors > 1) s21 = Vector512.FusedMultiplyAdd(u, v1, s21);
                if (vectors > 2) s22 = Vector512.FusedMultiplyAdd(u, v2, s22);
                if (vectors > 3) s23 = Vector512.FusedMultiplyAdd(u, v3, s23);
            }
            if (rows > 3)
            {
                u = Vector512.Create(a3[at]);
                s30 = Vector512.FusedMultiplyAdd(u, v0, s30);
                if (vectors > 1) s31 = Vector512.FusedMultiplyAdd(u, v1, s31);
                if (vectors > 2) s32 = Vector512.FusedMultiplyAdd(u, v2, s32);
                if (vectors > 3) s33 = Vector512.FusedMultiplyAdd(u, v3, s33);
            }
            if (rows > 4)
            {
                u = Vector512.Create(a4[at]);
                s40 = Vector512.FusedMultiplyAdd(u, v0, s40);
                if (vectors > 1) s41 = Vector512.FusedMultiplyAdd(u, v1, s41);
                if (vectors > 2) s42 = Vector512.FusedMultiplyAdd(u, v2, s42);
                if (vectors > 3) s43 = Vector512.FusedMultiplyAdd(u, v3, s43);
            }
        }
        WriteRow(c, s00, s01, s02, s03, vectors, accumulate);
        if (rows > 1) WriteRow(c + ldc, s10, s11, s12, s13, vectors, accumulate);
        if (rows > 2) WriteRow(c + 2 * ldc, s20, s21, s22, s23, vectors, accumulate);
        if (rows > 3) WriteRow(c + 3 * ldc, s30, s31, s32, s33, vectors, accumulate);
        if (rows > 4) WriteRow(c + 4 * ldc, s40, s41, s42, s43, vectors, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(float* c, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, int vectors, bool accumulate)
    {
        if (accumulate)
        {
            s0 += Vector512.Load(c);
            if (vectors > 1) s1 += Vector512.Load(c + 16);
            if (vectors > 2) s2 += Vector512.Load(c + 32);
            if (vectors > 3) s3 += Vector512.Load(c + 48);
        }
        s0.Store(c);
        if (vectors > 1) s1.Store(c + 16);
        if (vectors > 2) s2.Store(c + 32);
        if (vectors > 3) s3.Store(c + 48);
    }
}
