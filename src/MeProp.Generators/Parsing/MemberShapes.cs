using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MeProp.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MeProp.Generators.Parsing;

/// <summary>
/// Finds the shape of a parameter member when the source states it with constants: an initializer
/// or constructor assignment of <c>new Matrix&lt;T&gt;(rows, cols)</c>, <c>new RowVector&lt;T&gt;(n)</c>
/// or a <c>MeProp.Init</c> factory whose leading arguments are the shape. Anything else (or two
/// different shapes) leaves the shape unknown (-1), and the shape check skips what it cannot see.
/// </summary>
internal static class MemberShapes
{
    public static ParameterSpec Describe(ISymbol member, Compilation compilation, CancellationToken cancellation)
    {
        ITypeSymbol type = member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type;
        ParameterKind kind = KnownTypes.IsMatrix(type) ? ParameterKind.Matrix : ParameterKind.Vector;
        var shapes = new HashSet<(int Rows, int Cols)>();
        foreach (ExpressionSyntax value in AssignedValues(member, cancellation))
        {
            SemanticModel model = compilation.GetSemanticModel(value.SyntaxTree);
            (int Rows, int Cols)? shape = ShapeOf(value, kind, model, cancellation);
            if (shape is null) return new ParameterSpec(member.Name, kind, -1, -1);
            shapes.Add(shape.Value);
        }
        return shapes.Count == 1
            ? new ParameterSpec(member.Name, kind, shapes.First().Rows, shapes.First().Cols)
            : new ParameterSpec(member.Name, kind, -1, -1);
    }

    private static IEnumerable<ExpressionSyntax> AssignedValues(ISymbol member, CancellationToken cancellation)
    {
        foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellation);
            if (node is VariableDeclaratorSyntax { Initializer.Value: { } fieldValue }) yield return fieldValue;
            if (node is PropertyDeclarationSyntax { Initializer.Value: { } propertyValue }) yield return propertyValue;
        }
        foreach (IMethodSymbol constructor in member.ContainingType.InstanceConstructors)
        {
            foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
            {
                foreach (AssignmentExpressionSyntax assignment in reference.GetSyntax(cancellation).DescendantNodes().OfType<AssignmentExpressionSyntax>())
                {
                    string? target = assignment.Left switch
                    {
                        IdentifierNameSyntax id => id.Identifier.Text,
                        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => name.Identifier.Text,
                        _ => null,
                    };
                    if (target == member.Name) yield return assignment.Right;
                }
            }
        }
    }

    private static (int Rows, int Cols)? ShapeOf(ExpressionSyntax value, ParameterKind kind, SemanticModel model, CancellationToken cancellation)
    {
        int dimensions = kind == ParameterKind.Matrix ? 2 : 1;
        SeparatedSyntaxList<ArgumentSyntax>? arguments = value switch
        {
            BaseObjectCreationExpressionSyntax creation when KnownTypes.IsTensor(model.GetTypeInfo(creation, cancellation).Type) => creation.ArgumentList?.Arguments,
            InvocationExpressionSyntax invocation when model.GetSymbolInfo(invocation, cancellation).Symbol is IMethodSymbol m && KnownTypes.IsInit(m.ContainingType) => invocation.ArgumentList.Arguments,
            _ => null,
        };
        if (arguments is null || arguments.Value.Count < dimensions) return null;
        var sizes = new int[dimensions];
        for (int i = 0; i < dimensions; i++)
        {
            Optional<object?> constant = model.GetConstantValue(arguments.Value[i].Expression, cancellation);
            if (!constant.HasValue || constant.Value is not int size) return null;
            sizes[i] = size;
        }
        return kind == ParameterKind.Matrix ? (sizes[0], sizes[1]) : (sizes[0], 1);
    }
}
