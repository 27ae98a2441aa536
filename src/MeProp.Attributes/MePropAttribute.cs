using System;
using System.Diagnostics;

namespace MeProp
{
    /// <summary>
    /// Marks a forward method of a <c>partial</c> model class. At compile time the MeProp source
    /// generator adds to the class a recording forward pass (<c>ForwardTrain</c>), a backward pass
    /// with top-k sparsification fused into every linear operation (<c>Backward</c>), and the
    /// parameter/gradient enumeration the optimizers use.
    /// </summary>
    /// <remarks>
    /// The values here are compile-time defaults; the generated <c>MePropSettings</c> property lets
    /// a training program change K and the mode at run time (for example from the command line).
    /// The attribute is only read by the generator, so it is not kept in the user's metadata
    /// unless <c>MEPROP_KEEP_ATTRIBUTES</c> is defined.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    [Conditional("MEPROP_KEEP_ATTRIBUTES")]
    public sealed class MePropAttribute : Attribute
    {
        /// <summary>How many entries of dL/dy each linear operation keeps (per example, or per mini-batch in <see cref="MePropMode.Unified"/>). Must be at least 1 unless <see cref="Mode"/> is <see cref="MePropMode.Dense"/>.</summary>
        public int K { get; set; } = 20;

        /// <summary>K for the output layer (a linear operation whose result reaches the method's return value through no other linear operation). 0 means "same as <see cref="K"/>".</summary>
        public int OutputK { get; set; }

        /// <summary>When true, the output layer back-propagates densely whatever K is (the paper uses both settings).</summary>
        public bool DenseOutput { get; set; }

        /// <summary>How the kept entries are chosen.</summary>
        public MePropMode Mode { get; set; } = MePropMode.TopK;

        /// <summary>Seed of the model's random source (dropout masks, random-k selection).</summary>
        public int Seed { get; set; } = 1;
    }
}
