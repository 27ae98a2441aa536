using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MeProp.Kernels;

// Packing: copies a block of op(A) or op(B) into the panel layout the micro-kernel reads
// sequentially. The two layouts of each operand get their own loop so that the inner loop always
// reads memory in order (row-major A and transposed B are read along their rows and written with
// a stride into the panel; the other layouts are contiguous copies of MR or NR values per step).
internal static unsafe partial class Sgemm
{
    /// <summary>
    /// Packs rows [i0, i0 + mc) and steps [p0, p0 + kc) of op(A) into MR-tall panels: panel r
    /// starts at r·MR·kc and holds (i, p) at p·MR + i. Rows past mc are zero so edge tiles need no
    /// special kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(in Operands op, int i0, int mc, int p0, int kc, float* dst, int mr)
    {
        if (op.ACol != 1 && mr == 8)
        {
            // A stored transposed (dYᵀ for the weight gradient): step p of every panel is a run of
            // the same row of the stored matrix, so walk that row once, left to right, and deal it
            // out to the panels. Panel by panel would read 8 floats from each of kc rows (kc pages
            // apart when the row is 4 KiB or longer) and come back to the same lines for the next panel.
            int whole = mc & ~7;
            for (int p = 0; p < kc; p++)
            {
                float* src = op.A + (long)(p0 + p) * op.ACol + i0;
                float* d = dst + p * 8;
                int r = 0;
                for (; r < whole; r += 8) Vector256.Load(src + r).Store(d + (long)r * kc);
                if (r < mc)
                {
                    float* panel = d + (long)r * kc;
                    int i = 0;
                    for (; r + i < mc; i++) panel[i] = src[r + i];
                    for (; i < 8; i++) panel[i] = 0f;
                }
            }
            return;
        }
        for (int r = 0; r < mc; r += mr)
        {
            int rows = Math.Min(mr, mc - r);
            float* panel = dst + (long)r * kc;
            if (op.ACol == 1)
            {
                // A row-major (the forward x, the backward dY): each row is contiguous over p.
                int p = 0;
                if (rows == 8 && mr == 8 && Avx.IsSupported)
                {
                    // A whole 8-row panel is a sequence of 8 x 8 transposes (as for Bᵀ in PackB).
                    float* src = op.A + (long)(i0 + r) * op.ARow + p0;
                    for (; p + 8 <= kc; p += 8) Transpose8x8(src + p, op.ARow, panel + p * 8, 8);
                }
                for (int i = 0; i < rows; i++)
                {
                    float* src = op.A + (long)(i0 + r + i) * op.ARow + p0;
                    float* d = panel + i;
                    for (int q = p; q < kc; q++) d[q * mr] = src[q];
                }
            }
            else
            {
                // A stored transposed (dYᵀ for the weight gradient): the MR values of one step are contiguous.
                float* src = op.A + (long)p0 * op.ACol + i0 + r;
                if (rows == 8 && mr == 8)
                {
                    for (int p = 0; p < kc; p++) Vector256.Load(src + (long)p * op.ACol).Store(panel + p * 8);
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + (long)p * op.ACol;
                        float* d = panel + p * mr;
                        for (int i = 0; i < rows; i++) d[i] = s[i];
                    }
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int i = rows; i < mr; i++) panel[p * mr + i] = 0f;
        }
    }

    /// <summary>
    /// Packs steps [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into NR-wide panels: panel s
    /// starts at s·NR·kc and holds (p, j) at p·NR + j. Columns past nc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in Operands op, int p0, int kc, int j0, int nc, float* dst, int nr)
    {
        for (int s = 0; s < nc; s += nr)
        {
            int cols = Math.Min(nr, nc - s);
            float* panel = dst + (long)s * kc;
            if (op.BCol == 1)
            {
                // B row-major (W in dX = dY·W, X in dW = dYᵀ·X): NR contiguous values per step.
                float* src = op.B + (long)p0 * op.BRow + j0 + s;
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* sp = src + (long)p * op.BRow;
                        float* d = panel + p * nr;
                        for (int j = 0; j < nr; j += 8) Vector256.Load(sp + j).Store(d + j); // NR is 16 or 32
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* sp = src + (long)p * op.BRow;
                        float* d = panel + p * nr;
                        int j = 0;
                        for (; j + 8 <= cols; j += 8) Vector256.Load(sp + j).Store(d + j);
                        for (; j < cols; j++) d[j] = sp[j];
                        for (; j < nr; j++) d[j] = 0f;
                    }
                }
            }
            else
            {
                // B stored transposed (W in the forward y = x·Wᵀ): column j of op(B) is row j of W,
                // contiguous over p. Reading NR rows side by side keeps the writes sequential.
                float* src = op.B + (long)(j0 + s) * op.BCol + p0;
                int p = 0;
                int wholeCols = Avx.IsSupported ? cols & ~7 : 0;
                if (wholeCols > 0)
                {
                    // Whole 8 x 8 blocks go through a register transpose: eight row loads and eight
                    // column stores instead of 64 strided scalar reads (this packing is a visible
                    // share of the time when M is small, as in the forward pass of a small batch).
                    for (; p + 8 <= kc; p += 8)
                    {
                        for (int j = 0; j < wholeCols; j += 8)
                            Transpose8x8(src + (long)j * op.BCol + p, op.BCol, panel + p * nr + j, nr);
                        for (int q = p; q < p + 8; q++)
                        {
                            float* d = panel + q * nr;
                            int j = wholeCols;
                            for (; j < cols; j++) d[j] = src[(long)j * op.BCol + q];
                            for (; j < nr; j++) d[j] = 0f;
                        }
                    }
                }
                for (; p < kc; p++)
                {
                    float* d = panel + p * nr;
                    float* sp = src + p;
                    int j = 0;
                    for (; j < cols; j++) d[j] = sp[(long)j * op.BCol];
                    for (; j < nr; j++) d[j] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8 x 8 block at <paramref name="src"/> (rows <paramref name="srcStride"/>
    /// apart) to <paramref name="dst"/> (rows <paramref name="dstStride"/> apart): dst[q, r] = src[r, q].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        Vector256<float> r0 = Vector256.Load(src), r1 = Vector256.Load(src + srcStride);
        Vector256<float> r2 = Vector256.Load(src + 2L * srcStride), r3 = Vector256.Load(src + 3L * srcStride);
        Vector256<float> r4 = Vector256.Load(src + 4L * srcStride), r5 = Vector256.Load(src + 5L * srcStride);
        Vector256<float> r6 = Vector256.Load(src + 6L * srcStride), r7 = Vector256.Load(src + 7L * srcStride);
        // Interleave pairs of rows: t0 = (r0[0], r1[0], r0[1], r1[1] | r0[4], r1[4], r0[5], r1[5]) and so on.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // Combine to groups of four rows per column within each 128-bit lane.
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        // The low lanes hold columns 0-3, the high lanes columns 4-7: pair rows 0-3 with rows 4-7.
        Avx.Permute2x128(u0, u4, 0x20).Store(dst);
        Avx.Permute2x128(u1, u5, 0x20).Store(dst + dstStride);
        Avx.Permute2x128(u2, u6, 0x20).Store(dst + 2L * dstStride);
        Avx.Permute2x128(u3, u7, 0x20).Store(dst + 3L * dstStride);
        Avx.Permute2x128(u0, u4, 0x31).Store(dst + 4L * dstStride);
        Avx.Permute2x128(u1, u5, 0x31).Store(dst + 5L * dstStride);
        Avx.Permute2x128(u2, u6, 0x31).Store(dst + 6L * dstStride);
        Avx.Permute2x128(u3, u7, 0x31).Store(dst + 7L * dstStride);
    }

    /// <summary>
    /// Pack buffers, one set per thread and kept for the thread's life, so that steady-state calls
    /// allocate nothing. Pinned arrays (rather than native memory) so that a thread's buffers are
    /// reclaimed with it; the pointers are aligned to 64 bytes for the Vector512 loads.
    /// </summary>
    private sealed class PackBuffers
    {
        [ThreadStatic] private static PackBuffers? current;

        private float[] aStore = Array.Empty<float>(), bStore = Array.Empty<float>();
        public float* A, B;

        public static PackBuffers ForThisThread(int aFloats, int bFloats)
        {
            PackBuffers buffers = current ??= new PackBuffers();
            // The unpacked kernels ask for a B panel only (aFloats 0): no A buffer for them.
            if (aFloats > 0 && buffers.aStore.Length < aFloats + 16) buffers.A = Allocate(ref buffers.aStore, Math.Max(aFloats, McMax * KcMax));
            if (buffers.bStore.Length < bFloats + 16) buffers.B = Allocate(ref buffers.bStore, bFloats);
            return buffers;
        }

        private static float* Allocate(ref float[] store, int floats)
        {
            store = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
            fixed (float* p = store)
                return (float*)(((nint)p + 63) & ~(nint)63);
        }
    }
}
