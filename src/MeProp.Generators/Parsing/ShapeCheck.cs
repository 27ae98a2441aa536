using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MeProp.Generators.Diagnostics;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MeProp.Generators.Parsing;

/// <summary>
/// Propagates the feature widths known at compile time (from parameter shapes) through the lowered
/// operations and reports the mismatches it can prove (MEPROP006), and hidden layers whose K is not
/// below their width (MEPROP007). Widths of method inputs are unknown until run time, where the
/// kernels check them again.
/// </summary>
internal static class ShapeCheck
{
    private const int Unknown = -1;

    public static void Run(ModelSpec model, IReadOnlyDictionary<string, SyntaxNode> syntax, Activity activity, AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        var parameters = model.Parameters.ToDictionary(p => p.Name);
        var width = new Dictionary<string, int>();
        int WidthOf(string value) => width.TryGetValue(value, out int w) ? w : Unknown;
        void Walk(IReadOnlyList<Operation> operations)
        {
            foreach (Operation op in operations)
            {
                if (op.Kind == OpKind.Loop)
                {
                    LoopSpec loop = op.Loop!;
                    foreach (LoopState state in loop.States)
                        if (WidthOf(state.Initial) is var w && w != Unknown) width[state.Phi] = w;
                    Walk(loop.Body);
                    foreach (LoopState state in loop.States)
                    {
                        int initial = WidthOf(state.Initial), next = WidthOf(state.Next);
                        if (initial != Unknown && next != Unknown && initial != next)
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, syntax[state.Next].GetLocation(),
                                $"'{state.Local}' starts with width {N(initial)} but a step assigns it a value of width {N(next)}"));
                        if (next != Unknown) width[state.Final] = next;
                    }
                    foreach (LoopOutput output in loop.Outputs)
                        if (WidthOf(output.Value) is var w && w != Unknown) width[output.Sequence] = w;
                    continue;
                }
                Check(op);
            }
        }
        void Mismatch(Operation op, string message) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, syntax[op.Result].GetLocation(), message));
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

        void Check(Operation op)
        {
            var widths = op.Operands.Select(WidthOf).ToArray();
            int result = Unknown;
            switch (op.Kind)
            {
                case OpKind.Linear:
                {
                    ParameterSpec w = parameters[op.Operands[0]];
                    if (w.Cols != Unknown && widths[1] != Unknown && w.Cols != widths[1])
                        Mismatch(op, $"'{w.Name}' has {N(w.Cols)} columns but is applied to '{op.Operands[1]}' of width {N(widths[1])}");
                    if (op.Operands.Count == 3 && parameters[op.Operands[2]] is { Rows: not Unknown } b && w.Rows != Unknown && b.Rows != w.Rows)
                        Mismatch(op, $"bias '{b.Name}' has {N(b.Rows)} elements but '{w.Name}' has {N(w.Rows)} output units");
                    result = w.Rows;
                    CheckK(model, activity, op, w, attribute, diagnostics);
                    break;
                }
                case OpKind.AddBias:
                {
                    ParameterSpec b = parameters[op.Operands[1]];
                    if (b.Rows != Unknown && widths[0] != Unknown && b.Rows != widths[0])
                        Mismatch(op, $"bias '{b.Name}' has {N(b.Rows)} elements but '{op.Operands[0]}' has width {N(widths[0])}");
                    result = widths[0] != Unknown ? widths[0] : b.Rows;
                    break;
                }
                case OpKind.Add or OpKind.Subtract or OpKind.Multiply:
                    if (widths[0] != Unknown && widths[1] != Unknown && widths[0] != widths[1])
                        Mismatch(op, $"'{op.Operands[0]}' has width {N(widths[0])} but '{op.Operands[1]}' has width {N(widths[1])}");
                    result = widths[0] != Unknown ? widths[0] : widths[1];
                    break;
                case OpKind.Concat:
                    result = widths.All(w => w != Unknown) ? widths.Sum() : Unknown;
                    break;
                case OpKind.Embed:
                    result = Unknown; // positions per example are known only at run time
                    break;
                case OpKind.Zeros:
                    result = int.TryParse(op.Argument, NumberStyles.None, CultureInfo.InvariantCulture, out int zeros) ? zeros : Unknown;
                    break;
                default:
                    result = widths[0];
                    break;
            }
            if (result != Unknown) width[op.Result] = result;
        }
        Walk(model.Operations);
    }

    private static void CheckK(ModelSpec model, Activity activity, Operation op, ParameterSpec w, AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        const int Dense = 3;
        if (model.Options.Mode == Dense || w.Rows == Unknown || activity.IsOutputLayer(op.Result)) return;
        if (model.Options.K >= w.Rows)
        {
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KNotBelowWidth, syntax?.GetLocation(),
                model.Options.K.ToString(CultureInfo.InvariantCulture), w.Rows.ToString(CultureInfo.InvariantCulture), w.Name));
        }
    }
}
