using System;
using System.Runtime.Intrinsics;

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
    private static void PackA(in Operands op, int i0, int mc, int p0, int kc, float* dst, int mr)
    {
        for (int r = 0; r < mc; r += mr)
        {
            int rows = Math.Min(mr, mc - r);
            float* panel = dst + (long)r * kc;
            if (op.ACol == 1)
            {
                // A row-major (the forward x, the backward dY): each row is contiguous over p.
                for (int i = 0; i < rows; i++)
                {
                    float* src = op.A + (long)(i0 + r + i) * op.ARow + p0;
                    float* d = panel + i;
                    for (int p = 0; p < kc; p++) d[p * mr] = src[p];
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
                for (int p = 0; p < kc; p++)
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
            if (buffers.aStore.Length < aFloats + 16) buffers.A = Allocate(ref buffers.aStore, Math.Max(aFloats, McMax * KcMax));
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
