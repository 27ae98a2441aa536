using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// A random program compiled in memory with the source generator, as a user's project would be,
/// and loaded into a collectible load context; the model is reached through the runtime's interface.
/// </summary>
internal sealed class CompiledProgram : IDisposable
{
    private readonly AssemblyLoadContext _context;
    private readonly MethodInfo _forwardTrain;

    private CompiledProgram(AssemblyLoadContext context, IMePropTrainable<double> model, MethodInfo forwardTrain)
    {
        _context = context;
        Model = model;
        _forwardTrain = forwardTrain;
    }

    public IMePropTrainable<double> Model { get; }

    /// <summary>Generates, compiles and loads <paramref name="source"/>; fails with the diagnostics and the source when it does not compile cleanly.</summary>
    public static CompiledProgram Load(string source, long seed)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        // Warnings (MEPROP007: a layer no wider than K is dense) are expected; errors are not.
        var errors = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Concat(run.OutputErrors).ToArray();
        if (errors.Length > 0)
            throw new InvalidOperationException("The program did not compile cleanly:\n" + string.Join("\n", errors) + "\n" + source);
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        if (!emitted.Success)
            throw new InvalidOperationException("The program did not emit:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + source);
        image.Position = 0;
        // Collectible, so that a thousand programs do not pile up a thousand assemblies; MeProp's own
        // assemblies resolve to the ones already loaded, so the model's interface is the test's.
        var context = new AssemblyLoadContext($"random-program-{seed}", isCollectible: true);
        Assembly assembly = context.LoadFromStream(image);
        Type type = assembly.GetType(RandomProgram.ClassName)!;
        var model = (IMePropTrainable<double>)Activator.CreateInstance(type, new SeededRandom(seed))!;
        return new CompiledProgram(context, model, type.GetMethod("ForwardTrain")!);
    }

    /// <summary>The training forward pass on the inputs (x, and ids where the program has them); its result's values, step-major for a sequence.</summary>
    public double[] ForwardTrain(object[] inputs) => _forwardTrain.Invoke(Model, inputs) switch
    {
        Batch<double> batch => batch.Span.ToArray(),
        Sequence<double> sequence => sequence.AllSteps.Span.ToArray(),
        var other => throw new InvalidOperationException($"ForwardTrain returned {other}."),
    };

    /// <summary>Back-propagates the output gradient (step-major for a sequence result).</summary>
    public void Backward(RandomProgram program, int rows, double[] dOutput)
    {
        if (program.SequenceResult)
            ((IMePropSequenceModel<double>)Model).Backward(new Sequence<double>(program.Length, rows, program.OutputWidth, dOutput));
        else
            ((IMePropModel<double>)Model).Backward(new Batch<double>(rows, program.OutputWidth, dOutput));
    }

    public void Dispose() => _context.Unload();
}
