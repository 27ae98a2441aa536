using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>One operation of a random program, in evaluation order; operands are earlier operations (0 is the input x).</summary>
internal sealed record Operation(OperationKind Kind, int[] Operands, int Width, string? Weight = null, string? Bias = null, string? Function = null, string? Local = null);

internal enum OperationKind
{
    Input,
    Linear,        // W * a (+ b): meProp sparsifies it
    AddBias,       // a + b, b a row vector: dense gradient
    Add,
    Subtract,
    Multiply,
    Activation,    // Relu, Tanh, Sigmoid, Cube
    Concat,
}

/// <summary>
/// A random, well-typed [MeProp] forward method over double batches, made from a list of choices so
/// that a property-testing library can shrink the list and so the program: linear operations with
/// and without bias (new weights, or weights shared with an earlier operation of the same shape),
/// bias adds, element-wise sums, differences and products, the four activations, concatenation,
/// values read several times, locals reassigned, nested expressions, widths from 1 to 7.
/// </summary>
internal sealed class RandomProgram
{
    public const string ClassName = "RandomModel";

    private RandomProgram(int inputWidth, List<Operation> operations, Dictionary<string, (int Rows, int Cols)> parameters, List<string> statements)
    {
        InputWidth = inputWidth;
        Operations = operations;
        Parameters = parameters;
        Statements = statements;
    }

    public int InputWidth { get; }

    /// <summary>Every operation, the input first; the last is the returned value.</summary>
    public IReadOnlyList<Operation> Operations { get; }

    /// <summary>Weights (rows x cols) and biases (rows x 1), by field name.</summary>
    public IReadOnlyDictionary<string, (int Rows, int Cols)> Parameters { get; }

    /// <summary>The method body's statements, as C#.</summary>
    public IReadOnlyList<string> Statements { get; }

    public int OutputWidth => Operations[^1].Width;

    /// <summary>The widest value of the program (a K at least this large keeps every entry).</summary>
    public int WidestValue => Operations.Max(o => o.Width);

    private static readonly string[] Functions = { "Relu", "Tanh", "Sigmoid", "Cube" };

    /// <summary>Builds the program the choices describe; choices past the end of the list read as 0 (the simplest option).</summary>
    public static RandomProgram Build(int[] choices)
    {
        int next = 0;
        int Choose(int options) => options <= 1 ? 0 : (int)((uint)(next < choices.Length ? choices[next++] : 0) % (uint)options);

        int inputWidth = 1 + Choose(7);
        var operations = new List<Operation> { new(OperationKind.Input, Array.Empty<int>(), inputWidth, Local: "x") };
        var parameters = new Dictionary<string, (int Rows, int Cols)>();
        var statements = new List<string>();
        var locals = new List<(string Name, int Operation)> { ("x", 0) };
        var text = new Dictionary<int, string> { [0] = "x" }; // how an operation is written where it is used

        string NewParameter(string prefix, int rows, int cols)
        {
            string name = $"{prefix}{parameters.Count}";
            parameters[name] = (rows, cols);
            return name;
        }

        // A weight of rows x cols: a new one, or (one time in four) one already used with that shape.
        string Weight(int rows, int cols)
        {
            var shared = parameters.Where(p => p.Key.StartsWith('W') && p.Value == (rows, cols)).Select(p => p.Key).ToArray();
            return shared.Length > 0 && Choose(4) == 0 ? shared[Choose(shared.Length)] : NewParameter("W", rows, cols);
        }

        string Bias(int rows)
        {
            var shared = parameters.Where(p => p.Key.StartsWith('b') && p.Value == (rows, 1)).Select(p => p.Key).ToArray();
            return shared.Length > 0 && Choose(4) == 0 ? shared[Choose(shared.Length)] : NewParameter("b", rows, 1);
        }

        int Add(Operation operation, string written)
        {
            operations.Add(operation);
            text[operations.Count - 1] = written;
            return operations.Count - 1;
        }

        int Operand() => locals[Choose(locals.Count)].Operation;

        // One operation on existing values; `nested` allows an operand that is itself a new linear operation.
        int MakeOperation(bool nested)
        {
            int kind = Choose(8);
            switch (kind)
            {
                case 0:
                case 1:
                case 7:
                {
                    int a = Operand();
                    int rows = 1 + Choose(7);
                    string w = Weight(rows, operations[a].Width);
                    bool withBias = Choose(2) == 0;
                    string? b = withBias ? Bias(rows) : null;
                    string written = (withBias, Choose(2)) switch
                    {
                        (true, 0) => $"{w} * {text[a]} + {b}",
                        (true, _) => $"Linear({w}, {text[a]}, {b})",
                        (false, 0) => $"{w} * {text[a]}",
                        (false, _) => $"Linear({w}, {text[a]})",
                    };
                    int linear = Add(new Operation(OperationKind.Linear, new[] { a }, rows, Weight: w, Bias: b), $"({written})");
                    if (kind != 7 || !nested) return linear;
                    string function = Functions[Choose(Functions.Length)];
                    return Add(new Operation(OperationKind.Activation, new[] { linear }, rows, Function: function), $"{function}({written})");
                }
                case 2:
                {
                    int a = Operand();
                    string function = Functions[Choose(Functions.Length)];
                    return Add(new Operation(OperationKind.Activation, new[] { a }, operations[a].Width, Function: function), $"{function}({text[a]})");
                }
                case 3:
                {
                    int a = Operand();
                    // A partner of the same width, which may be a itself (a value read twice).
                    var partners = locals.Where(l => operations[l.Operation].Width == operations[a].Width).Select(l => l.Operation).ToArray();
                    int b = partners[Choose(partners.Length)];
                    (OperationKind op, string symbol, string call) = Choose(3) switch
                    {
                        0 => (OperationKind.Add, "+", "Add"),
                        1 => (OperationKind.Subtract, "-", "Subtract"),
                        _ => (OperationKind.Multiply, "*", "Multiply"),
                    };
                    string written = Choose(2) == 0 ? $"({text[a]} {symbol} {text[b]})" : $"{call}({text[a]}, {text[b]})";
                    return Add(new Operation(op, new[] { a, b }, operations[a].Width), written);
                }
                case 4:
                {
                    // A bias add on a value that is not a linear operation's result, where it would fold into that operation.
                    var candidates = locals.Where(l => operations[l.Operation].Kind != OperationKind.Linear).Select(l => l.Operation).ToArray();
                    int a = candidates[Choose(candidates.Length)];
                    string b = Bias(operations[a].Width);
                    return Add(new Operation(OperationKind.AddBias, new[] { a }, operations[a].Width, Bias: b), $"AddBias({text[a]}, {b})");
                }
                default:
                {
                    int parts = 2 + Choose(2);
                    int[] operands = Enumerable.Range(0, parts).Select(_ => Operand()).ToArray();
                    return Add(new Operation(OperationKind.Concat, operands, operands.Sum(o => operations[o].Width)),
                        $"Concat({string.Join(", ", operands.Select(o => text[o]))})");
                }
            }
        }

        int statementCount = 1 + Choose(6);
        for (int s = 0; s < statementCount; s++)
        {
            int value = MakeOperation(nested: true);
            // One time in three a local of the same width takes the new value (reassignment), else a new local.
            var sameWidth = locals.Skip(1).Where(l => operations[l.Operation].Width == operations[value].Width).ToArray();
            string name;
            if (sameWidth.Length > 0 && Choose(3) == 0)
            {
                name = sameWidth[Choose(sameWidth.Length)].Name;
                locals.RemoveAll(l => l.Name == name);
                statements.Add($"{name} = {Strip(text[value])};");
            }
            else
            {
                name = $"h{statements.Count}";
                statements.Add($"var {name} = {Strip(text[value])};");
            }
            locals.Add((name, value));
            operations[value] = operations[value] with { Local = name };
            text[value] = name;
        }

        // The result: a linear operation of the last value (so every program has an output layer).
        int last = locals[^1].Operation;
        int outputs = 1 + Choose(4);
        string wOut = Weight(outputs, operations[last].Width);
        string bOut = Bias(outputs);
        operations.Add(new Operation(OperationKind.Linear, new[] { last }, outputs, Weight: wOut, Bias: bOut));
        statements.Add($"return Linear({wOut}, {text[last]}, {bOut});");
        return new RandomProgram(inputWidth, operations, parameters, statements);
    }

    private static string Strip(string written) => written.StartsWith('(') && written.EndsWith(')') && Balanced(written[1..^1]) ? written[1..^1] : written;

    private static bool Balanced(string s)
    {
        int depth = 0;
        foreach (char c in s)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0) return false;
        }
        return depth == 0;
    }

    /// <summary>The model class as C#: the parameters as fields filled from a seeded source, and the [MeProp] method.</summary>
    public string Source(int k)
    {
        var s = new StringBuilder();
        s.AppendLine("using MeProp;");
        s.AppendLine("using static MeProp.Ops;");
        s.AppendLine();
        s.AppendLine($"public sealed partial class {ClassName}");
        s.AppendLine("{");
        foreach (var (name, (rows, cols)) in Parameters)
            s.AppendLine(name.StartsWith('W') ? $"    private readonly Matrix<double> {name};" : $"    private readonly RowVector<double> {name};");
        s.AppendLine();
        s.AppendLine($"    public {ClassName}(SeededRandom random)");
        s.AppendLine("    {");
        foreach (var (name, (rows, cols)) in Parameters)
            s.AppendLine(name.StartsWith('W')
                ? $"        {name} = new Matrix<double>({rows}, {cols}, Values(random, {rows * cols}));"
                : $"        {name} = new RowVector<double>(Values(random, {rows}));");
        s.AppendLine("    }");
        s.AppendLine();
        s.AppendLine("    private static double[] Values(SeededRandom random, int count)");
        s.AppendLine("    {");
        s.AppendLine("        var values = new double[count];");
        s.AppendLine("        for (int i = 0; i < count; i++) values[i] = 2 * random.NextDouble() - 1;");
        s.AppendLine("        return values;");
        s.AppendLine("    }");
        s.AppendLine();
        s.AppendLine($"    [MeProp(K = {k.ToString(CultureInfo.InvariantCulture)})]");
        s.AppendLine("    public Batch<double> Forward(Batch<double> x)");
        s.AppendLine("    {");
        foreach (string statement in Statements) s.AppendLine($"        {statement}");
        s.AppendLine("    }");
        s.AppendLine("}");
        return s.ToString();
    }
}
