using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MeProp.Kernels;

// The micro-kernels: one packed A panel (MR values per step) times one packed B panel (NR values
// per step), the MR x NR tile of C held in registers for all kc steps and written once at the end.
// Written out row by row rather than with arrays or loops so that every accumulator is a local the
// JIT can keep in a register. The loads of C are unaligned-tolerant: C rows have any stride.
internal static unsafe partial class Sgemm
{
    /// <summary>C[0..8, 0..32] (+)= Σ_p a[p·8 + i]·b[p·32 + j] with 16 zmm accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(int kc, float* a, float* b, float* c, int ldc, bool overwrite)
    {
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero, c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero, c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero, c51 = Vector512<float>.Zero;
        Vector512<float> c60 = Vector512<float>.Zero, c61 = Vector512<float>.Zero;
        Vector512<float> c70 = Vector512<float>.Zero, c71 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }
        if (overwrite)
        {
            c00.Store(c + 0 * ldc); c01.Store(c + 0 * ldc + 16);
            c10.Store(c + 1 * ldc); c11.Store(c + 1 * ldc + 16);
            c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
            c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16);
            c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16);
        }
        else
        {
            (Vector512.Load(c + 0 * ldc) + c00).Store(c + 0 * ldc); (Vector512.Load(c + 0 * ldc + 16) + c01).Store(c + 0 * ldc + 16);
            (Vector512.Load(c + 1 * ldc) + c10).Store(c + 1 * ldc); (Vector512.Load(c + 1 * ldc + 16) + c11).Store(c + 1 * ldc + 16);
            (Vector512.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc); (Vector512.Load(c + 2 * ldc + 16) + c21).Store(c + 2 * ldc + 16);
            (Vector512.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc); (Vector512.Load(c + 3 * ldc + 16) + c31).Store(c + 3 * ldc + 16);
            (Vector512.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc); (Vector512.Load(c + 4 * ldc + 16) + c41).Store(c + 4 * ldc + 16);
            (Vector512.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc); (Vector512.Load(c + 5 * ldc + 16) + c51).Store(c + 5 * ldc + 16);
            (Vector512.Load(c + 6 * ldc) + c60).Store(c + 6 * ldc); (Vector512.Load(c + 6 * ldc + 16) + c61).Store(c + 6 * ldc + 16);
            (Vector512.Load(c + 7 * ldc) + c70).Store(c + 7 * ldc); (Vector512.Load(c + 7 * ldc + 16) + c71).Store(c + 7 * ldc + 16);
        }
    }

    /// <summary>C[0..6, 0..16] (+)= Σ_p a[p·6 + i]·b[p·16 + j] with 12 ymm accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, bool overwrite)
    {
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        if (overwrite)
        {
            c00.Store(c + 0 * ldc); c01.Store(c + 0 * ldc + 8);
            c10.Store(c + 1 * ldc); c11.Store(c + 1 * ldc + 8);
            c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
        }
        else
        {
            (Vector256.Load(c + 0 * ldc) + c00).Store(c + 0 * ldc); (Vector256.Load(c + 0 * ldc + 8) + c01).Store(c + 0 * ldc + 8);
            (Vector256.Load(c + 1 * ldc) + c10).Store(c + 1 * ldc); (Vector256.Load(c + 1 * ldc + 8) + c11).Store(c + 1 * ldc + 8);
            (Vector256.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc); (Vector256.Load(c + 2 * ldc + 8) + c21).Store(c + 2 * ldc + 8);
            (Vector256.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc); (Vector256.Load(c + 3 * ldc + 8) + c31).Store(c + 3 * ldc + 8);
            (Vector256.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc); (Vector256.Load(c + 4 * ldc + 8) + c41).Store(c + 4 * ldc + 8);
            (Vector256.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc); (Vector256.Load(c + 5 * ldc + 8) + c51).Store(c + 5 * ldc + 8);
        }
    }
}
