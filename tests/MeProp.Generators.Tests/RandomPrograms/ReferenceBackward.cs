using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// An independent reference for a random program: a plain interpreter of its operations in double,
/// forward then backward, that zeroes all but the kept entries of dL/dy at each linear operation —
/// the k largest |dL/dy| of each example (TopK), or the k columns with the largest batch sum of
/// |dL/dy| (Unified); ties go to the lower index. It shares no code with the generator or the runtime.
/// </summary>
internal static class ReferenceBackward
{
    /// <summary>The gradient of Σ dOutput ⊙ output with respect to every parameter, by name.</summary>
    public static Dictionary<string, double[]> Gradients(RandomProgram program, IReadOnlyDictionary<string, double[]> parameters,
        double[] x, int rows, double[] dOutput, MePropMode mode, int k)
    {
        var ops = program.Operations;
        var values = new double[ops.Count][];
        for (int i = 0; i < ops.Count; i++) values[i] = Forward(ops[i], i == 0 ? x : null, values, parameters, rows);

        var gradients = parameters.ToDictionary(p => p.Key, p => new double[p.Value.Length]);
        var dValues = new double[ops.Count][];
        dValues[^1] = (double[])dOutput.Clone();
        for (int i = ops.Count - 1; i >= 1; i--)
        {
            double[]? g = dValues[i];
            if (g is null) continue;
            Operation op = ops[i];
            double[] Into(int operand) => dValues[op.Operands[operand]] ??= new double[rows * ops[op.Operands[operand]].Width];
            int width = op.Width;
            switch (op.Kind)
            {
                case OperationKind.Linear:
                {
                    double[] kept = Mask(g, rows, width, mode, k);
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

    private static double[] Forward(Operation op, double[]? x, double[][] values, IReadOnlyDictionary<string, double[]> parameters, int rows)
    {
        int width = op.Width;
        var y = new double[rows * width];
        switch (op.Kind)
        {
            case OperationKind.Input:
                return (double[])x!.Clone();
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
            default:
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
