using System;
using System.Collections.Generic;

namespace MeProp.Examples;

/// <summary>
/// The share of each weight matrix's rows that a step's backward pass touched, averaged over an
/// epoch's steps: meProp's "fraction of the weights updated" (the paper reports 1-4%).
/// </summary>
public sealed class UpdatedRowShares
{
    private readonly IReadOnlyList<Parameter<float>> _weights;
    private readonly double[] _sums;
    private int _steps;

    public UpdatedRowShares(IReadOnlyList<Parameter<float>> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = weights;
        _sums = new double[weights.Count];
    }

    /// <summary>Reads the gradients' touched rows after a backward pass.</summary>
    public void Add()
    {
        for (int i = 0; i < _weights.Count; i++)
        {
            Parameter<float> w = _weights[i];
            _sums[i] += (double)w.Gradient.TouchedRowCount / w.Rows;
        }
        _steps++;
    }

    /// <summary>Each matrix's mean share over the steps so far, in the order given.</summary>
    public double[] Means()
    {
        var means = new double[_sums.Length];
        for (int i = 0; i < means.Length; i++) means[i] = _steps == 0 ? 0 : _sums[i] / _steps;
        return means;
    }
}
