using System;

namespace MeProp.Kernels;

// Products of unified meProp's compacted operands, whose loop orders follow how X and dX are laid out.
//
// C = Aᵀ·B for few rows of C and a long reduction: unified meProp's weight gradient of the kept rows,
// dW_kept = dY_keptᵀ·X, which at the parser's batch is 20 x 10,000 by 10,000 x 2,400 (1 GFLOP on
// 96 MB of X, read once).
//
// Why its own loop order: the blocked kernel packs all of B for 20 rows of C (a read and a write of
// the 96 MB, for one use of each value), and the unpacked one (SgemmThin) walks B in 64-column
// strips down 1,024 rows at a time, a 9.6 KB stride from row to row that the hardware prefetchers
// do not follow: 14-16 ms (60-70 GFLOP/s) on the Zen 4 EPYC on one thread or two. Here the slices
// of B are a few rows deep, so the strips of a slice lie in a few rows read from start to end,
// and the two threads take the two halves of C's columns (each output still sums its products in
// ascending row order, so one thread or two give the same bits).
//
// C = A·B for a short reduction and many rows of C: unified meProp's input gradient, dX = dY_kept·W_kept,
// 10,000 x 20 by 20 x 2,400 at the parser's batch (96 MB of dX written, B in L2). The blocked kernel
// packs both operands for a product whose whole cost is writing C (9 ms on two threads), and the
// unpacked one writes C in 64-column strips down all rows, 9.6 KB apart. Here each tile of 5 rows of
// C is finished across all its columns before the next, so C is written row after row, by two
// threads taking the two halves of the rows.
internal static unsafe partial class Sgemm
{
    /// <summary>Rows of B per slice: every strip of a slice reads these rows at once.</summary>
    private const int StreamKc = 128;

    /// <summary>Whether C (m x n) = Aᵀ·B from k rows goes to <see cref="StreamMultiplyTransposedA"/>: few rows of C, a long reduction.</summary>
    public static bool UseStreamTransposedA(int m, int k, int n) => ThinIsSupported && m >= 1 && m <= ThinMaxRows && k >= 1024 && n >= 64;

    /// <summary>C (m x n) (+)= Aᵀ·B, A being k x m and B k x n, in slices of <see cref="StreamKc"/> rows of B, C's column halves on the two threads.</summary>
    public static void StreamMultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate) c.Slice(0, m * n).Clear();
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            RowSplit.Run(new StreamStrips(pa, pb, pc, m, k, n, accumulate), (n + 63) / 64, (long)k * n);
    }

    // Column strips [start, end) of 64 (the last one possibly narrower), every slice of B in turn.
    private readonly struct StreamStrips(float* a, float* b, float* c, int m, int k, int n, bool accumulate) : IRowRange
    {
        public void Run(int start, int end)
        {
            int j0 = start * 64, j1 = Math.Min(n, end * 64);
            for (int p0 = 0; p0 < k; p0 += StreamKc)
                AxpyColumnRange(a + (long)p0 * m, 1, m, b + (long)p0 * n, n, c, n, m, Math.Min(StreamKc, k - p0), j0, j1, accumulate || p0 > 0);
        }
    }

    /// <summary>Whether C (m x n) = A·B from k columns of A goes to <see cref="StreamMultiply"/>: a short reduction, many rows of C.</summary>
    public static bool UseStreamMultiply(int m, int k, int n) => ThinIsSupported && k >= 1 && k <= 64 && m >= 256 && n >= 64;

    /// <summary>C (m x n) (+)= A·B, A being m x k and B k x n, a tile of 5 rows of C at a time across all its columns, the rows' halves on the two threads.</summary>
    public static void StreamMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate) c.Slice(0, m * n).Clear();
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            RowSplit.Run(new StreamRowTiles(pa, pb, pc, m, k, n, accumulate), (m + 4) / 5, (long)m * n);
    }

    // Row tiles [start, end) of 5 rows (the last one possibly fewer), each across all of C's columns.
    private readonly struct StreamRowTiles(float* a, float* b, float* c, int m, int k, int n, bool accumulate) : IRowRange
    {
        public void Run(int start, int end)
        {
            for (int i = start * 5, last = Math.Min(m, end * 5); i < last; i += 5)
                AxpyColumnRange(a + (long)i * k, k, 1, b, n, c + (long)i * n, n, Math.Min(5, last - i), k, 0, n, accumulate);
        }
    }
}
