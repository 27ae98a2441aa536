using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MeProp.Generators.Diagnostics;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;
using MeProp.Generators.Primitives;
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
                if (op.Kind != OpKind.Call) Check(op); // a layer's widths are its own model's business
            }
        }
        void Mismatch(Operation op, string message) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ShapeMismatch, syntax[op.Result].GetLocation(), message));
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

        void Check(Operation op)
        {
            var widths = op.Operands.Select(WidthOf).ToArray();
            int result = Primitive.For(op.Kind).KnownWidth(op, widths, name => parameters[name], message => Mismatch(op, message));
            if (op.Kind == OpKind.Linear) CheckK(model, activity, op, parameters[op.Operands[0]], attribute, diagnostics);
            if (result != Unknown) width[op.Result] = result;
        }
        Walk(model.Operations);
    }

    private static void CheckK(ModelSpec model, Activity activity, Operation op, ParameterSpec w, AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        if (model.Options.Mode == MePropMode.Dense || w.Rows == Unknown || activity.IsOutputLayer(op.Result)) return;
        if (model.Options.K >= w.Rows)
        {
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KNotBelowWidth, syntax?.GetLocation(),
                model.Options.K.ToString(CultureInfo.InvariantCulture), w.Rows.ToString(CultureInfo.InvariantCulture), w.Name));
        }
    }
}
