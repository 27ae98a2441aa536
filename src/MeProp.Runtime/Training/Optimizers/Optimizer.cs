using System;
using System.Collections.Generic;
using System.Numerics;

namespace MeProp;

/// <summary>
/// What the optimizers share: hyperparameter checks, per-parameter state kept across steps, and the
/// choice between updating whole parameters or only their touched rows.
/// </summary>
/// <remarks>
/// <para>State is positional: the first <see cref="Step"/> allocates, for parameter i of the list,
/// <see cref="StateSlots"/> arrays of its size, and every later step reuses them, so that a step
/// allocates nothing. Later calls must therefore pass the same parameters in the same order;
/// a list of a different count, or a parameter whose shape differs from the one first seen at its
/// position, throws <see cref="InvalidOperationException"/> rather than silently mixing state
/// between parameters. <see cref="Reset"/> forgets the state, after which any list is accepted.</para>
/// <para>The update itself is called once per parameter (or once per touched row), never per
/// element, so the element loops are specialised for T and free of virtual calls.</para>
/// </remarks>
public abstract class Optimizer<T> : IOptimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[][][]? _state;        // _state[slot][parameter]: one array per slot and parameter
    private int[] _rows = Array.Empty<int>();
    private int[] _cols = Array.Empty<int>();
    private T _learningRate;

    /// <summary>Sets the learning rate and the update scope, checking both.</summary>
    protected Optimizer(double learningRate, UpdateScope scope)
    {
        if (scope != UpdateScope.AllRows && scope != UpdateScope.TouchedRowsOnly)
            throw new ArgumentOutOfRangeException(nameof(scope), scope, $"Unknown update scope {scope}.");
        Scope = scope;
        LearningRate = learningRate;
    }

    /// <summary>Which rows a step updates.</summary>
    public UpdateScope Scope { get; }

    /// <summary>The step size; may be changed between steps (a schedule). Must be positive and finite.</summary>
    public double LearningRate
    {
        get => double.CreateChecked(_learningRate);
        set
        {
            RequirePositive(value, nameof(LearningRate));
            _learningRate = T.CreateChecked(value);
        }
    }

    /// <summary>The learning rate as T, for the update loops.</summary>
    protected T Rate => _learningRate;

    /// <summary>How many state arrays of the parameter's size the optimizer keeps per parameter (0 for SGD).</summary>
    protected abstract int StateSlots { get; }

    /// <summary>The name of state slot <paramref name="slot"/> ("m", "v", "sumOfSquares"), as checkpoints record it.</summary>
    protected abstract string StateSlotName(int slot);

    /// <summary>Steps taken so far (t of the last step; Adam's bias correction reads it).</summary>
    public long StepCount { get; private set; }

    /// <summary>The names of the state arrays kept per parameter, in slot order (empty for SGD).</summary>
    public IReadOnlyList<string> StateNames
    {
        get
        {
            var names = new string[StateSlots];
            for (int s = 0; s < names.Length; s++) names[s] = StateSlotName(s);
            return names;
        }
    }

    /// <summary>
    /// The state array <paramref name="slot"/> of parameter <paramref name="parameterIndex"/> of
    /// <paramref name="parameters"/> (the list passed to every <see cref="Step"/>), allocated as zeros
    /// when no step has run yet: what a checkpoint saves, and where it restores.
    /// </summary>
    /// <exception cref="InvalidOperationException">The list differs from the one the state was kept for.</exception>
    public Memory<T> StateOf(IReadOnlyList<Parameter<T>> parameters, int slot, int parameterIndex)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, StateSlots);
        ArgumentOutOfRangeException.ThrowIfNegative(parameterIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(parameterIndex, parameters.Count);
        Bind(parameters);
        return _state![slot][parameterIndex];
    }

    /// <summary>Sets the number of steps taken, as a checkpoint records it (the next step is t = <paramref name="steps"/> + 1).</summary>
    public void RestoreStepCount(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        StepCount = steps;
    }

    /// <inheritdoc/>
    public void Step(IReadOnlyList<Parameter<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Bind(parameters);
        StepCount++;
        BeginStep();
        // An indexed loop: foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter<T> p = parameters[i];
            ParameterGradient<T> g = p.Gradient;
            if (Scope == UpdateScope.AllRows || g.AllRowsTouched)
            {
                Update(i, 0, p.Value, g.Data);
            }
            else
            {
                int cols = p.Cols;
                foreach (int row in g.TouchedRows)
                    Update(i, row * cols, p.Value.Slice(row * cols, cols), g.Row(row));
            }
        }
    }

    /// <summary>Forgets all optimizer state (moments, accumulators, step count), as if newly created.</summary>
    public void Reset()
    {
        _state = null;
        _rows = Array.Empty<int>();
        _cols = Array.Empty<int>();
        StepCount = 0;
    }

    /// <summary>Called once per <see cref="Step"/>, after the state is bound and <see cref="StepCount"/> advanced, before any update.</summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>
    /// Updates <paramref name="value"/> from <paramref name="gradient"/>: a whole parameter, or one
    /// row of it that starts at element <paramref name="offset"/> (to find the matching state).
    /// </summary>
    protected abstract void Update(int parameterIndex, int offset, Span<T> value, ReadOnlySpan<T> gradient);

    /// <summary>The part of state array <paramref name="slot"/> of parameter <paramref name="parameterIndex"/> that matches an update range.</summary>
    protected Span<T> State(int slot, int parameterIndex, int offset, int length)
        => _state![slot][parameterIndex].AsSpan(offset, length);

    /// <summary>Throws unless <paramref name="value"/> is positive and finite; the message names it.</summary>
    protected static void RequirePositive(double value, string name)
    {
        if (!(value > 0.0 && double.IsFinite(value)))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite, but is {value}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1) (a decay rate); the message names it.</summary>
    protected static void RequireDecay(double value, string name)
    {
        if (!(value >= 0.0 && value < 1.0))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), but is {value}.");
    }

    private void Bind(IReadOnlyList<Parameter<T>> parameters)
    {
        int count = parameters.Count;
        if (_state is not null)
        {
            if (count != _rows.Length)
                throw new InvalidOperationException(
                    $"{GetType().Name} keeps state for {_rows.Length} parameters, but Step was called with {count}; pass the same list every step, or call Reset first.");
            for (int i = 0; i < count; i++)
            {
                Parameter<T> p = parameters[i];
                if (p.Rows != _rows[i] || p.Cols != _cols[i])
                    throw new InvalidOperationException(
                        $"Parameter {i} ('{p.Name}') is {p.Rows}x{p.Cols}, but {GetType().Name} keeps state for a {_rows[i]}x{_cols[i]} parameter there; pass the same list every step, or call Reset first.");
            }
            return;
        }

        var rows = new int[count];
        var cols = new int[count];
        var state = new T[StateSlots][][];
        for (int s = 0; s < state.Length; s++) state[s] = new T[count][];
        for (int i = 0; i < count; i++)
        {
            Parameter<T> p = parameters[i] ?? throw new ArgumentException($"Parameter {i} of the list is null.", nameof(parameters));
            rows[i] = p.Rows;
            cols[i] = p.Cols;
            for (int s = 0; s < state.Length; s++) state[s][i] = new T[p.Value.Length];
        }
        _rows = rows;
        _cols = cols;
        _state = state;
    }
}
