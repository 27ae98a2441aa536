using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// An independent reference for a random program: a plain interpreter of its unrolled operations in
/// double, forward then backward, that zeroes all but the kept entries of dL/dy at each linear
/// operation (at each step of a loop, separately) — the k largest |dL/dy| of each example (TopK), or
/// the k columns with the largest batch sum of |dL/dy| (Unified); ties go to the lower index. It
/// shares no code with the generator or the runtime's kernels; it takes only the runtime's random
/// numbers, to draw the same dropout masks.
/// </summary>
internal static class ReferenceBackward
{
    /// <summary>The gradient of Σ dOutput ⊙ output with respect to every parameter, by name.</summary>
    /// <param name="x">The input, step-major for a sequence program.</param>
    /// <param name="ids">The ids, step-major for a sequence program (null without).</param>
    /// <param name="dOutput">The weights of the outputs, step-major for a sequence result.</param>
    /// <param name="outputK">The K of the output layers (int.MaxValue: dense).</param>
    /// <param name="dropout">The state of the model's random source when the forward pass starts: the masks are its next draws, one per element of each dropout in the order they run, an element dropped when its draw is below the rate (a rate of 0 draws nothing).</param>
    public static Dictionary<string, double[]> Gradients(RandomProgram program, IReadOnlyDictionary<string, double[]> parameters,
        double[] x, int[]? ids, int rows, double[] dOutput, MePropMode mode, int k, int outputK, SeededRandomState dropout)
    {
        // The output layers: the linear operations whose values are returned (every other linear operation of a random program feeds one).
        var outputLayers = new HashSet<int>(program.Outputs);
        var ops = program.Flat;
        var random = new SeededRandom(1) { State = dropout };
        var values = new double[ops.Count][];
        var masks = new double[ops.Count][];
        for (int i = 0; i < ops.Count; i++) values[i] = Forward(program, ops[i], x, ids, values, masks, i, parameters, rows, random);

        var gradients = parameters.ToDictionary(p => p.Key, p => new double[p.Value.Length]);
        var dValues = new double[ops.Count][];
        int outputSize = rows * program.OutputWidth;
        for (int o = 0; o < program.Outputs.Count; o++)
        {
            double[] d = dValues[program.Outputs[o]] ??= new double[outputSize];
            for (int e = 0; e < outputSize; e++) d[e] += dOutput[o * outputSize + e];
        }
        for (int i = ops.Count - 1; i >= 0; i--)
        {
            double[]? g = dValues[i];
            if (g is null) continue;
            Operation op = ops[i];
            double[] Into(int operand) => dValues[op.Operands[operand]] ??= new double[rows * ops[op.Operands[operand]].Width];
            int width = op.Width;
            switch (op.Kind)
            {
                case OperationKind.Input:
                case OperationKind.Zeros:
                    break;
                case OperationKind.Embed:
                {
                    int[] stepIds = StepIds(program, ids!, op.Step, rows);
                    int dimension = width / program.IdPositions;
                    double[] dTable = gradients[op.Weight!];
                    for (int b = 0; b < rows; b++)
                        for (int p = 0; p < program.IdPositions; p++)
                            for (int d = 0; d < dimension; d++)
                                dTable[stepIds[b * program.IdPositions + p] * dimension + d] += g[b * width + p * dimension + d];
                    break;
                }
                case OperationKind.Dropout:
                {
                    double[] da = Into(0);
                    for (int e = 0; e < g.Length; e++) da[e] += g[e] * masks[i][e];
                    break;
                }
                case OperationKind.Linear:
                {
                    double[] kept = Mask(g, rows, width, mode, outputLayers.Contains(i) ? outputK : k);
                    double[] a = values[op.Operands[0]];
                    int cols = ops[op.Operands[0]].Width;
                    double[] w = parameters[op.Weight!], dW = gradients[op.Weight!], da = Into(0);
                    for (int b = 0; b < rows; b++)
                        for (int r = 0; r < width; r++)
                        {
                            double gr = kept[b * width + r];
                            if (gr == 0) continue;
                            for (int c = 0; c < cols; c++)
                            {
                                dW[r * cols + c] += gr * a[b * cols + c];
                                da[b * cols + c] += gr * w[r * cols + c];
                            }
                            if (op.Bias is not null) gradients[op.Bias][r] += gr;
                        }
                    break;
                }
                case OperationKind.AddBias:
                {
                    double[] da = Into(0);
                    for (int b = 0; b < rows; b++)
                        for (int c = 0; c < width; c++)
                        {
                            da[b * width + c] += g[b * width + c];
                            gradients[op.Bias!][c] += g[b * width + c];
                        }
                    break;
                }
                case OperationKind.Add:
                case OperationKind.Subtract:
                case OperationKind.Multiply:
                {
                    double[] a = values[op.Operands[0]], bv = values[op.Operands[1]];
                    double[] da = Into(0);
                    for (int e = 0; e < g.Length; e++)
                        da[e] += op.Kind == OperationKind.Multiply ? g[e] * bv[e] : g[e];
                    double[] db = Into(1); // after da: the same array when both operands are one value, and both terms add up
                    for (int e = 0; e < g.Length; e++)
                        db[e] += op.Kind switch { OperationKind.Multiply => g[e] * a[e], OperationKind.Subtract => -g[e], _ => g[e] };
                    break;
                }
                case OperationKind.Activation:
                {
                    double[] z = values[op.Operands[0]], y = values[i], da = Into(0);
                    for (int e = 0; e < g.Length; e++)
                        da[e] += g[e] * op.Function switch
                        {
                            "Relu" => z[e] > 0 ? 1.0 : 0.0,
                            "Tanh" => 1 - y[e] * y[e],
                            "Sigmoid" => y[e] * (1 - y[e]),
                            _ => 3 * z[e] * z[e],
                        };
                    break;
                }
                case OperationKind.Concat:
                {
                    int offset = 0;
                    for (int p = 0; p < op.Operands.Length; p++)
                    {
                        int partWidth = ops[op.Operands[p]].Width;
                        double[] dp = Into(p);
                        for (int b = 0; b < rows; b++)
                            for (int c = 0; c < partWidth; c++) dp[b * partWidth + c] += g[b * width + offset + c];
                        offset += partWidth;
                    }
                    break;
                }
            }
        }
        return gradients;
    }

    // The step of a sequence input (the whole input outside loops).
    private static double[] StepInput(RandomProgram program, double[] x, int step, int rows)
    {
        int size = rows * program.InputWidth;
        return step < 0 ? x : x.AsSpan(step * size, size).ToArray();
    }

    private static int[] StepIds(RandomProgram program, int[] ids, int step, int rows)
    {
        int size = rows * program.IdPositions;
        return step < 0 ? ids : ids.AsSpan(step * size, size).ToArray();
    }

    private static double[] Forward(RandomProgram program, Operation op, double[] x, int[]? ids, double[][] values, double[][] masks, int index,
        IReadOnlyDictionary<string, double[]> parameters, int rows, SeededRandom random)
    {
        int width = op.Width;
        var y = new double[rows * width];
        switch (op.Kind)
        {
            case OperationKind.Input:
                return (double[])StepInput(program, x, op.Step, rows).Clone();
            case OperationKind.Zeros:
                return y;
            case OperationKind.Embed:
            {
                int[] stepIds = StepIds(program, ids!, op.Step, rows);
                int dimension = width / program.IdPositions;
                double[] table = parameters[op.Weight!];
                for (int b = 0; b < rows; b++)
                    for (int p = 0; p < program.IdPositions; p++)
                        for (int d = 0; d < dimension; d++)
                            y[b * width + p * dimension + d] = table[stepIds[b * program.IdPositions + p] * dimension + d];
                return y;
            }
            case OperationKind.Dropout:
            {
                double[] a = values[op.Operands[0]];
                var mask = masks[index] = new double[y.Length];
                for (int e = 0; e < y.Length; e++)
                {
                    mask[e] = op.Rate == 0 || random.NextDouble() >= op.Rate ? 1 / (1 - op.Rate) : 0;
                    y[e] = a[e] * mask[e];
                }
                return y;
            }
            case OperationKind.Linear:
            {
                double[] a = values[op.Operands[0]], w = parameters[op.Weight!];
                int cols = a.Length / rows;
                for (int b = 0; b < rows; b++)
                    for (int r = 0; r < width; r++)
                    {
                        double sum = op.Bias is null ? 0 : parameters[op.Bias][r];
                        for (int c = 0; c < cols; c++) sum += w[r * cols + c] * a[b * cols + c];
                        y[b * width + r] = sum;
                    }
                return y;
            }
            case OperationKind.AddBias:
            {
                double[] a = values[op.Operands[0]], bias = parameters[op.Bias!];
                for (int e = 0; e < y.Length; e++) y[e] = a[e] + bias[e % width];
                return y;
            }
            case OperationKind.Add:
            case OperationKind.Subtract:
            case OperationKind.Multiply:
            {
                double[] a = values[op.Operands[0]], b = values[op.Operands[1]];
                for (int e = 0; e < y.Length; e++)
                    y[e] = op.Kind switch { OperationKind.Add => a[e] + b[e], OperationKind.Subtract => a[e] - b[e], _ => a[e] * b[e] };
                return y;
            }
            case OperationKind.Activation:
            {
                double[] z = values[op.Operands[0]];
                for (int e = 0; e < y.Length; e++)
                    y[e] = op.Function switch
                    {
                        "Relu" => Math.Max(0, z[e]),
                        "Tanh" => Math.Tanh(z[e]),
                        "Sigmoid" => 1 / (1 + Math.Exp(-z[e])),
                        _ => z[e] * z[e] * z[e],
                    };
                return y;
            }
            case OperationKind.Concat:
            {
                int offset = 0;
                foreach (int operand in op.Operands)
                {
                    double[] part = values[operand];
                    int partWidth = part.Length / rows;
                    for (int b = 0; b < rows; b++)
                        for (int c = 0; c < partWidth; c++) y[b * width + offset + c] = part[b * partWidth + c];
                    offset += partWidth;
                }
                return y;
            }
            default:
                throw new InvalidOperationException($"{op.Kind} is no operation of an unrolled program.");
        }
    }

    // dL/dy with all but the kept entries zeroed (nothing zeroed when k covers the width, or in dense mode).
    private static double[] Mask(double[] g, int rows, int width, MePropMode mode, int k)
    {
        if (mode == MePropMode.Dense || k >= width) return g;
        var kept = new double[g.Length];
        if (mode == MePropMode.TopK)
        {
            for (int b = 0; b < rows; b++)
                foreach (int c in Largest(Enumerable.Range(0, width).Select(c => Math.Abs(g[b * width + c])).ToArray(), k))
                    kept[b * width + c] = g[b * width + c];
        }
        else
        {
            double[] scores = Enumerable.Range(0, width).Select(c => Enumerable.Range(0, rows).Sum(b => Math.Abs(g[b * width + c]))).ToArray();
            foreach (int c in Largest(scores, k))
                for (int b = 0; b < rows; b++) kept[b * width + c] = g[b * width + c];
        }
        return kept;
    }

    // The indices of the k largest scores; ties to the lower index.
    private static IEnumerable<int> Largest(double[] scores, int k)
        => Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k);
}
