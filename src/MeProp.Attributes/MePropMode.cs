namespace MeProp
{
    // The generator compiles this file too (linked into MeProp.Generators), so that it reads the
    // attribute's Mode as this enum rather than as a number that must be kept in step by hand.
    /// <summary>How a linear operation's output gradient is sparsified in back propagation.</summary>
#if MEPROP_GENERATOR
    internal enum MePropMode
#else
    public enum MePropMode
#endif
    {
        /// <summary>Per example: keep the k entries of dL/dy with the largest magnitude (the paper's CPU form).</summary>
        TopK = 0,

        /// <summary>One index set per mini-batch, chosen by the batch sum of |dL/dy| (the paper's GPU form, "unified top-k").</summary>
        Unified = 1,

        /// <summary>Per example: keep k entries drawn uniformly at random (the paper's ablation).</summary>
        Random = 2,

        /// <summary>No sparsification: ordinary back propagation.</summary>
        Dense = 3,
    }
}
