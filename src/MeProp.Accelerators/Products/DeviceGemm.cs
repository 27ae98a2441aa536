using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace MeProp.Accelerators;

/// <summary>
/// Dense float products on an accelerator, in the three forms back propagation needs (as
/// MeProp.Kernels.Gemm on the host): C = A·Bᵀ (the forward y = x·Wᵀ), C = A·B (dx = dY·W) and
/// C = Aᵀ·B (dW = dYᵀ·X), each overwriting C or adding to it; operands are row-major views.
/// </summary>
/// <remarks>
/// Three kernels (<see cref="DeviceProductKernel"/>). On a CUDA accelerator the products go to cuBLAS (through ILGPU.Algorithms' CuBlas, on the
/// accelerator's stream): our row-major operands are cuBLAS's column-major transposes, so each form
/// is the transposed product with the operands swapped. Elsewhere,
/// the kernel is a tiled product in group-shared memory (16 x 16 tiles, one thread per element of
/// C; smaller where an accelerator's groups are smaller: 4 x 4 on ILGPU's CPU accelerator, whose
/// groups have 16 threads), written for ILGPU so that it runs on every accelerator: the CPU accelerator of the tests and
/// OpenCL devices. On CUDA the library's own GEMM (cuBLAS) is the one to use for speed; this kernel
/// is the portable and tested form. On ILGPU's CPU accelerator, whose group barriers are
/// emulated with threads (a tiled product of the parser's first layer took minutes), the default
/// is a per-element kernel with no group memory and no barrier. Each element sums its k products
/// in ascending order in both kernels (the same bits), so results differ from the host's SGEMM
/// only by float rounding.
/// </remarks>
public sealed class DeviceGemm
{
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, Shape>? _tiled;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Shape>? _perElement;
    private readonly int _tile;
    private readonly CuBlas? _cuBlas;

    /// <param name="accelerator">Where the products run.</param>
    /// <param name="kernel">The kernel to use; null picks cuBLAS on CUDA, the per-element kernel on ILGPU's CPU accelerator, the tiled one elsewhere.</param>
    /// <exception cref="ArgumentException">cuBLAS was asked for on an accelerator that is not CUDA.</exception>
    public DeviceGemm(Accelerator accelerator, DeviceProductKernel? kernel = null)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        Kernel = kernel ?? accelerator.AcceleratorType switch
        {
            AcceleratorType.Cuda => DeviceProductKernel.CuBlas,
            AcceleratorType.CPU => DeviceProductKernel.PerElement,
            _ => DeviceProductKernel.Tiled,
        };
        _tile = 16;
        while (_tile > 1 && _tile * _tile > accelerator.MaxNumThreadsPerGroup) _tile /= 2;
        switch (Kernel)
        {
            case DeviceProductKernel.CuBlas:
                if (accelerator is not CudaAccelerator cuda)
                    throw new ArgumentException($"cuBLAS needs a CUDA accelerator, not {accelerator.AcceleratorType}.", nameof(kernel));
                _cuBlas = new CuBlas(cuda);
                _cuBlas.Stream = (CudaStream)cuda.DefaultStream; // ordered with the kernels of the pass
                // cuBLAS forms no product without a reduction (k = 0): the per-element kernel writes those.
                _perElement = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Shape>(PerElementKernel);
                break;
            case DeviceProductKernel.PerElement:
                _perElement = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Shape>(PerElementKernel);
                break;
            default:
                _tiled = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, Shape>(TiledKernel);
                break;
        }
    }

    /// <summary>The kernel the products run in.</summary>
    public DeviceProductKernel Kernel { get; }

    /// <summary>True when the products run in cuBLAS (a CUDA accelerator).</summary>
    public bool UsesCuBlas => _cuBlas is not null;

    /// <summary>The side of the square tiles this accelerator's groups hold.</summary>
    public int Tile => _tile;

    public Accelerator Accelerator { get; }

    /// <summary>C (m x n) (+)= A (m x k) · Bᵀ, B being n x k.</summary>
    public void MultiplyTransposedB(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int k, int n, bool accumulate)
    {
        // Column-major: Cᵀ (n x m) = B·Aᵀ, B stored as its transpose (k x n, ld k), A as its transpose (k x m, ld k).
        if (_cuBlas is not null && Checked(a, b, c, m, k, n, (long)m * k, (long)n * k))
            _cuBlas.Gemm(CuBlasOperation.Transpose, CuBlasOperation.NonTranspose, n, m, k, 1f, b, k, a, k, accumulate ? 1f : 0f, c, n);
        else
            Run(a, k, 1, b, 1, k, c, m, k, n, accumulate, (long)m * k, (long)n * k);
    }

    /// <summary>C (m x n) (+)= A (m x k) · B (k x n).</summary>
    public void Multiply(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int k, int n, bool accumulate)
    {
        // Column-major: Cᵀ = Bᵀ·Aᵀ, B stored as Bᵀ (n x k, ld n), A as Aᵀ (k x m, ld k).
        if (_cuBlas is not null && Checked(a, b, c, m, k, n, (long)m * k, (long)k * n))
            _cuBlas.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.NonTranspose, n, m, k, 1f, b, n, a, k, accumulate ? 1f : 0f, c, n);
        else
            Run(a, k, 1, b, n, 1, c, m, k, n, accumulate, (long)m * k, (long)k * n);
    }

    /// <summary>C (m x n) (+)= Aᵀ · B, A being k x m and B k x n.</summary>
    public void MultiplyTransposedA(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int k, int n, bool accumulate)
    {
        // Column-major: Cᵀ = Bᵀ·A, B stored as Bᵀ (n x k, ld n), A as Aᵀ (m x k, ld m).
        if (_cuBlas is not null && Checked(a, b, c, m, k, n, (long)k * m, (long)k * n))
            _cuBlas.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.Transpose, n, m, k, 1f, b, n, a, m, accumulate ? 1f : 0f, c, n);
        else
            Run(a, 1, m, b, n, 1, c, m, k, n, accumulate, (long)k * m, (long)k * n);
    }

    // The checks of Run, for the cuBLAS path; false for a product with no reduction (k = 0), which the kernel forms.
    private static bool Checked(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int k, int n, long aNeeded, long bNeeded)
    {
        if (m < 1 || n < 1 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"A product of {m}x{k} by {k}x{n} has no elements to form.");
        RequireLength(a, aNeeded, "a");
        RequireLength(b, bNeeded, "b");
        RequireLength(c, (long)m * n, "c");
        return k > 0;
    }

    // op(A)[i, p] = a[i·ars + p·acs], op(B)[p, j] = b[p·brs + j·bcs].
    private void Run(ArrayView<float> a, int ars, int acs, ArrayView<float> b, int brs, int bcs, ArrayView<float> c,
                     int m, int k, int n, bool accumulate, long aNeeded, long bNeeded)
    {
        if (m < 1 || n < 1 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"A product of {m}x{k} by {k}x{n} has no elements to form.");
        RequireLength(a, aNeeded, "a");
        RequireLength(b, bNeeded, "b");
        RequireLength(c, (long)m * n, "c");
        int tile = _tile;
        var shape = new Shape(m, k, n, ars, acs, brs, bcs, accumulate ? 1 : 0, tile);
        if (_perElement is not null)
        {
            _perElement(new Index2D(n, m), a, b, c, shape);
            return;
        }
        var groups = new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile);
        var config = new KernelConfig(groups, new Index2D(tile, tile), SharedMemoryConfig.RequestDynamic<float>(2 * tile * tile));
        _tiled!(config, a, b, c, shape);
    }

    private static void RequireLength(ArrayView<float> view, long needed, string name)
    {
        long length = view.IsValid ? view.Length : 0;
        if (length < needed)
            throw new ArgumentException($"{name} holds {length} floats, but the product needs {needed}.", name);
    }

    /// <summary>The sizes and strides of one product (a kernel argument).</summary>
    internal readonly struct Shape(int m, int k, int n, int ars, int acs, int brs, int bcs, int accumulate, int tile)
    {
        public readonly int M = m, K = k, N = n, Ars = ars, Acs = acs, Brs = brs, Bcs = bcs, Accumulate = accumulate, Tile = tile;
    }

    // One thread per element of C (x: column, y: row), its k products summed in ascending order.
    private static void PerElementKernel(Index2D at, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, Shape s)
    {
        int row = at.Y, col = at.X;
        float sum = 0f;
        long ai = (long)row * s.Ars, bi = (long)col * s.Bcs;
        for (int p = 0; p < s.K; p++, ai += s.Acs, bi += s.Brs) sum += a[ai] * b[bi];
        long ci = (long)row * s.N + col;
        c[ci] = s.Accumulate != 0 ? c[ci] + sum : sum;
    }

    private static void TiledKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, Shape s)
    {
        int tile = s.Tile;
        ArrayView<float> shared = SharedMemory.GetDynamic<float>();
        ArrayView<float> tileA = shared.SubView(0, tile * tile), tileB = shared.SubView(tile * tile, tile * tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * tile + ty, col = Grid.IdxX * tile + tx;
        float sum = 0f;
        for (int p0 = 0; p0 < s.K; p0 += tile)
        {
            int pa = p0 + tx, pb = p0 + ty;
            tileA[ty * tile + tx] = row < s.M && pa < s.K ? a[(long)row * s.Ars + (long)pa * s.Acs] : 0f;
            tileB[ty * tile + tx] = pb < s.K && col < s.N ? b[(long)pb * s.Brs + (long)col * s.Bcs] : 0f;
            Group.Barrier();
            for (int q = 0; q < tile; q++) sum += tileA[ty * tile + q] * tileB[q * tile + tx];
            Group.Barrier();
        }
        if (row < s.M && col < s.N)
        {
            long at = (long)row * s.N + col;
            c[at] = s.Accumulate != 0 ? c[at] + sum : sum;
        }
    }
}

/// <summary>The kernels <see cref="DeviceGemm"/> can form its products with.</summary>
public enum DeviceProductKernel
{
    /// <summary>cuBLAS (CUDA only): the library's own GEMM, the one to use for speed.</summary>
    CuBlas,

    /// <summary>16 x 16 tiles in group-shared memory (smaller where groups are): the portable kernel for OpenCL devices.</summary>
    Tiled,

    /// <summary>One thread per element, no shared memory or barrier: the fast form on ILGPU's CPU accelerator.</summary>
    PerElement,
}
