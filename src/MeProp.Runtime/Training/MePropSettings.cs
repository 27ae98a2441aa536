using System;

namespace MeProp;

/// <summary>
/// The meProp options of a generated model at run time. They start as the <c>[MeProp]</c>
/// attribute's values and may be changed between steps (a command line's <c>--k</c> and <c>--mode</c>).
/// </summary>
public sealed class MePropSettings
{
    private int _k;
    private int _outputK;

    /// <summary>Creates settings; the generated code passes the attribute's values.</summary>
    public MePropSettings(int k, int outputK, bool denseOutput, MePropMode mode)
    {
        Mode = mode;
        K = k;
        OutputK = outputK;
        DenseOutput = denseOutput;
    }

    /// <summary>Entries kept at each hidden linear operation. At least 1 (ignored in <see cref="MePropMode.Dense"/>).</summary>
    public int K
    {
        get => _k;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(K), value, $"K must be at least 1, but is {value} (use MePropMode.Dense for ordinary back propagation).");
            _k = value;
        }
    }

    /// <summary>Entries kept at output layers; 0 means "same as <see cref="K"/>".</summary>
    public int OutputK
    {
        get => _outputK;
        set
        {
            if (value < 0)
                throw new ArgumentOutOfRangeException(nameof(OutputK), value, $"OutputK must be at least 1, or 0 for \"same as K\", but is {value}.");
            _outputK = value;
        }
    }

    /// <summary>When true, output layers back-propagate densely.</summary>
    public bool DenseOutput { get; set; }

    /// <summary>How kept entries are chosen.</summary>
    public MePropMode Mode { get; set; }

    /// <summary>The K an output layer uses (int.MaxValue when it is dense).</summary>
    public int OutputLayerK => DenseOutput ? int.MaxValue : (OutputK > 0 ? OutputK : K);
}
