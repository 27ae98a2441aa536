using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;

namespace MeProp.Generators.Emit;

/// <summary>
/// The CPU pass's operations: steps printed by <see cref="CpuPrinter"/>, and two independent loops
/// run at the same time, the second on the runtime's side thread.
/// </summary>
internal sealed class CpuPassWriter : PassWriter
{
    private const string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"MeProp.Generators\", \"1.0.0\")]";

    public CpuPassWriter(EmitContext context) : base(context)
    {
    }

    protected override void Print(Step step) => CpuPrinter.Print(step, C);

    // Two loops that do not depend on each other run at the same time: the second on the runtime's
    // side thread (its code in __MePropSideLoop, started through a delegate the tape keeps, so that
    // nothing is allocated per call), the first on this thread. At batch 1 each loop is bound by the
    // rate at which one core reads its weight matrices at every step, so two cores read twice as much.
    protected override void WriteConcurrentLoops(LoopSpec first, LoopSpec second)
    {
        IndentedWriter w = C.Writer;
        int index = C.SideLoops.Count;
        string pending = C.Member("side" + index.ToString(CultureInfo.InvariantCulture), "__", "");
        string member = C.Member("loop" + index.ToString(CultureInfo.InvariantCulture), "__side_", "");

        var side = new IndentedWriter();
        C.Writer = side;
        ForwardLoop(second);
        C.Writer = w;
        C.SideLoops.Add(new SideLoop(member, index, second.Header, side.ToString()));

        w.Line();
        w.Line($"// The next two loops do not depend on each other: \"{second.Header}\" runs on the side thread");
        w.Line($"// (__MePropSideLoop) while this thread runs \"{first.Header}\".");
        w.Line($"var {pending} = {EmitContext.Runtime}.Kernels.SideThread.Start({EmitContext.Tape}.{member});");
        using (w.Block("try"))
            ForwardLoop(first);
        using (w.Block("finally"))
            w.Line($"{pending}.Join();");
    }

    /// <summary>
    /// The index of a top-level loop that may run at the same time as the loop at <paramref name="i"/>,
    /// or -1: the next loop, when neither it nor the operations between the two read anything the
    /// first loop defines (so those operations may run before both), when neither loop draws random
    /// numbers and nothing between them does (dropout: the draws must keep the program's order),
    /// and when both have a linear operation (the work that is worth a second core).
    /// </summary>
    protected override int ConcurrentPartner(IReadOnlyList<Operation> operations, int i)
    {
        LoopSpec first = operations[i].Loop!;
        if (!WorthASecondCore(first) || DrawsRandomNumbers(first)) return -1;
        var defined = new HashSet<string>(first.Body.Select(o => o.Result)
            .Concat(first.States.SelectMany(s => new[] { s.Phi, s.Final }))
            .Concat(first.Outputs.Select(o => o.Sequence)));
        for (int j = i + 1; j < operations.Count; j++)
        {
            Operation op = operations[j];
            if (op.Kind != OpKind.Loop)
            {
                if (op.Kind == OpKind.Dropout || op.Operands.Any(defined.Contains)) return -1;
                continue;
            }
            LoopSpec second = op.Loop!;
            bool reads = op.Operands.Concat(second.Body.SelectMany(o => o.Operands)).Concat(second.States.Select(s => s.Initial))
                .Append(second.Sequence).Any(defined.Contains);
            return reads || !WorthASecondCore(second) || DrawsRandomNumbers(second) ? -1 : j;
        }
        return -1;
    }

    private static bool WorthASecondCore(LoopSpec loop) => loop.Body.Any(o => o.Kind == OpKind.Linear);

    private static bool DrawsRandomNumbers(LoopSpec loop) => loop.Body.Any(o => o.Kind == OpKind.Dropout);

    /// <summary>The code of the loops that run on the side thread, one case each (after ForwardTrain, which collects them).</summary>
    public static void WriteSideLoops(EmitContext c)
    {
        if (c.SideLoops.Count == 0) return;
        IndentedWriter w = c.Writer;
        w.Line();
        w.Line("// Loops that ForwardTrain runs on the side thread, while it runs another loop that does not depend on them.");
        w.Line(GeneratedCode);
        using (w.Block($"private void __MePropSideLoop(__MePropTape {EmitContext.Tape}, int loop)"))
        {
            using (w.Block("switch (loop)"))
            {
                foreach (SideLoop loop in c.SideLoops)
                {
                    using (w.Block($"case {loop.Index.ToString(CultureInfo.InvariantCulture)}: // {loop.Header}"))
                    {
                        foreach (string line in loop.Code.Trim('\n').Split('\n'))
                            w.Line(line);
                        w.Line("break;");
                    }
                }
            }
        }
    }
}
