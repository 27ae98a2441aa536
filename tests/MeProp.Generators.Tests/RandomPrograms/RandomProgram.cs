using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// One operation of a random program. Operands are indices of earlier operations in the same list.
/// <see cref="Step"/> is the time step an input or an embedding reads (-1 outside loops);
/// <see cref="State"/> is the state of loop <see cref="Loop"/> a <see cref="OperationKind.Phi"/> or <see cref="OperationKind.After"/>
/// stands for; a <see cref="OperationKind.StepRead"/> reads the sequence loop <see cref="Loop"/> fills, mirrored when <see cref="Reversed"/>.
/// </summary>
internal sealed record Operation(OperationKind Kind, int[] Operands, int Width, string? Weight = null, string? Bias = null,
    string? Function = null, double Rate = 0, int Step = -1, int State = -1, int Loop = -1, bool Reversed = false, bool InLoop = false);

internal enum OperationKind
{
    Input,         // x, or x[t] in a loop
    Embed,         // Embed(E, ids): rows of a table; its gradient scatters into them
    Zeros,         // the initial value of a loop state
    Phi,           // written program only: a loop state's value when a step starts
    After,         // written program only: a loop state's value after the loop
    StepRead,      // written program only: u[t] of a sequence an earlier loop filled (or its Reverse)
    Linear,        // W * a (+ b): meProp sparsifies it
    AddBias,       // a + b, b a row vector: dense gradient
    Add,
    Subtract,
    Multiply,
    Activation,    // Relu, Tanh, Sigmoid, Cube
    Concat,
    Dropout,       // a mask drawn from the model's seeded source; rate 0 draws nothing
}

/// <summary>
/// A random, well-typed [MeProp] program over double values, made from a list of choices so that a
/// property-testing library can shrink the list and so the program. Two forms:
/// <list type="bullet">
/// <item>a batch program, <c>Batch Forward(Batch x[, IdBatch ids])</c>;</item>
/// <item>a sequence program, <c>Forward(Sequence x[, IdSequence ids])</c>: a loop over the steps,
/// forwards or backwards, carrying one or two states from <c>Zeros</c>, returning a sequence filled
/// step by step or a linear operation of a final state; one time in two after a first loop that
/// fills a sequence <c>u</c>, which the main loop reads step by step as it is or <c>Reverse</c>d; one
/// time in three after calling other [MeProp] models over whole sequences (recurrent layers, as the
/// tagger's LSTM), on x, <c>Reverse(x)</c> or u, whose results the main loop reads the same way.</item>
/// </list>
/// Statements draw from every operation of the DSL: linear operations with and without bias (new
/// weights, or weights shared with an earlier operation of the same shape), bias adds, element-wise
/// sums, differences and products, the four activations, concatenation, embeddings (tables shared or
/// not, ids repeated), dropout at rates 0, 0.25 and 0.5, and other [MeProp] models used as layers
/// (called once or twice, so sharing their weights); values read several times, locals reassigned,
/// nested expressions, widths from 1 to 7.
/// </summary>
/// <remarks>
/// The program is kept twice: as C# (<see cref="Source"/>) and as <see cref="Flat"/>, the straight-line
/// operations it performs on one input of <see cref="Length"/> steps, loops unrolled and layers inlined,
/// which <see cref="ReferenceBackward"/> interprets.
/// </remarks>
internal sealed class RandomProgram
{
    public const string ClassName = "RandomModel";

    private static readonly string[] Functions = { "Relu", "Tanh", "Sigmoid", "Cube" };
    private static readonly double[] Rates = { 0.0, 0.25, 0.5 };

    private readonly List<Parameter> _parameters;
    private readonly List<Layer> _layers;
    private readonly List<string> _statements;

    private RandomProgram(Builder b, bool sequenceInput, bool sequenceResult, bool idsOnly, int length, List<Operation> flat, int[] outputs)
    {
        IdsOnly = idsOnly;
        InputWidth = b.InputWidth;
        IdPositions = b.IdPositions;
        Vocabulary = b.Vocabulary;
        SequenceInput = sequenceInput;
        SequenceResult = sequenceResult;
        Length = length;
        Flat = flat;
        Outputs = outputs;
        _parameters = b.Parameters;
        _layers = b.Layers;
        _statements = b.Statements;
    }

    /// <summary>A weight (rows x cols), a bias (rows x 1) or an embedding table (rows x cols).</summary>
    private sealed record Parameter(string Name, int Rows, int Cols, bool IsVector);

    /// <summary>Another [MeProp] model, held in field <see cref="Field"/> and called as a layer: batch to batch, or, with its <see cref="Loop"/>, sequence to sequence.</summary>
    private sealed record Layer(string Field, string Class, int InputWidth, List<Operation> Operations, List<Parameter> Parameters, List<string> Statements, Loop? Loop = null);

    public int InputWidth { get; }

    /// <summary>Ids per example (and step) for the embeddings; 0 when the program has no ids input.</summary>
    public int IdPositions { get; }

    /// <summary>Rows of every embedding table (ids are below it).</summary>
    public int Vocabulary { get; }

    public bool SequenceInput { get; }

    public bool SequenceResult { get; }

    /// <summary>The program's only input is its ids (an IdSequence): no x.</summary>
    public bool IdsOnly { get; }

    /// <summary>Steps of the input (1 for a batch program).</summary>
    public int Length { get; }

    /// <summary>The operations performed, loops unrolled and layers inlined, in the order they run; parameters by their qualified names ("L0.W1").</summary>
    public IReadOnlyList<Operation> Flat { get; }

    /// <summary>The operations of <see cref="Flat"/> whose values are returned: one, or one per step.</summary>
    public IReadOnlyList<int> Outputs { get; }

    public int OutputWidth => Flat[Outputs[0]].Width;

    /// <summary>The widest value of the program (a K at least this large keeps every entry).</summary>
    public int WidestValue => Flat.Max(o => o.Width);

    /// <summary>The method body's statements, as C#.</summary>
    public IReadOnlyList<string> Statements => _statements;

    /// <summary>Builds the program the choices describe; choices past the end of the list read as 0 (the simplest option).</summary>
    public static RandomProgram Build(int[] choices)
    {
        var chooser = new Chooser(choices);
        bool sequence = chooser.Choose(3) == 2;
        int inputWidth = 1 + chooser.Choose(7);
        bool ids = chooser.Choose(3) == 0;
        var b = new Builder(chooser, inputWidth, ids ? 1 + chooser.Choose(3) : 0, ids ? 1 + chooser.Choose(5) : 0, allowLayers: true);
        // One sequence program with ids in two reads the ids alone, as a tagger reads its words.
        return sequence ? BuildSequence(b, idsOnly: ids && chooser.Choose(2) == 0) : BuildBatch(b);
    }

    private static RandomProgram BuildBatch(Builder b)
    {
        b.Start(new Operation(OperationKind.Input, Array.Empty<int>(), b.InputWidth), "x");
        b.Body(1 + b.Choose(6));
        int output = b.Return();
        return new RandomProgram(b, sequenceInput: false, sequenceResult: false, idsOnly: false, length: 1, b.Operations, new[] { output });
    }

    /// <summary>A loop of the written program: its operations (Start to End), direction, states (initial value and the value a step leaves) and the value written to its sequence each step.</summary>
    private sealed record Loop(int Start, int End, bool Backwards, (int Initial, int Next)[] States, int Fill);

    private static RandomProgram BuildSequence(Builder b, bool idsOnly)
    {
        // The sequence the loops run over, and that Zeros and SequenceLike take their shape from.
        string over = idsOnly ? "ids" : "x", element = idsOnly ? "<double>" : "";
        int length = 1 + b.Choose(4);
        var loops = new List<Loop>();
        // Sequences the main loop reads a step of: x, and (one time in two) one that a first loop fills, maybe reversed.
        var readable = new List<(string Name, int Loop, bool Reversed)> { (over, -1, false) };
        if (b.Choose(2) == 0)
        {
            b.Statements.Add($"var u = SequenceLike{element}({over});");
            loops.Add(WriteLoop(b, loops.Count, b.Choose(2) == 1, over, readable, Array.Empty<(string, int, int)>(), fill: "u", bodyCount: 1 + b.Choose(2)));
            bool reversed = b.Choose(2) == 0;
            if (reversed) b.Statements.Add("var r = Reverse(u);");
            readable.Add((reversed ? "r" : "u", 0, reversed));
        }

        // Recurrent layers (a nonzero choice, so that shrinking drops them): one time in three, one or two calls of [MeProp] models over whole
        // sequences of doubles, each result read by the main loop as it is or reversed.
        var arguments = new List<(string Written, int Loop, bool Reversed)>(readable.Skip(1));
        if (!idsOnly) arguments.InsertRange(0, new[] { ("x", -1, false), ("Reverse(x)", -1, true) });
        if (arguments.Count > 0 && b.Choose(3) == 2)
        {
            int calls = 1 + b.Choose(2);
            for (int c = 0; c < calls; c++)
            {
                var argument = arguments[b.Choose(arguments.Count)];
                var (field, loop) = CallSequenceLayer(b, loops, argument);
                bool reversed = b.Choose(3) == 2;
                string name = $"v{c}";
                b.Statements.Add(reversed ? $"var {name} = Reverse({field}.Forward({argument.Written}));" : $"var {name} = {field}.Forward({argument.Written});");
                readable.Add((name, loop, reversed));
            }
        }

        bool sequenceResult = b.Choose(2) == 0;
        int stateCount = 1 + b.Choose(2);
        var states = new List<(string Name, int Zeros, int Width)>();
        for (int j = 0; j < stateCount; j++)
        {
            int width = 1 + b.Choose(7);
            string name = $"s{j}";
            int zeros = b.Add(new Operation(OperationKind.Zeros, Array.Empty<int>(), width), name);
            b.Statements.Add($"var {name} = Zeros{element}({over}, {width});");
            states.Add((name, zeros, width));
        }
        if (sequenceResult) b.Statements.Add($"var outputs = SequenceLike{element}({over});");
        int main = loops.Count;
        Loop mainLoop = WriteLoop(b, main, b.Choose(2) == 1, over, readable, states.ToArray(), fill: sequenceResult ? "outputs" : null, bodyCount: 1 + b.Choose(4));
        loops.Add(mainLoop);
        int resultOperation = -1;
        if (sequenceResult)
            b.Statements.Add("return outputs;");
        else
        {
            int j = b.Choose(stateCount);
            int after = b.Add(new Operation(OperationKind.After, Array.Empty<int>(), states[j].Width, State: j, Loop: main), states[j].Name);
            int rows = 1 + b.Choose(4);
            string w = b.Weight(rows, states[j].Width), bias = b.Bias(rows);
            resultOperation = b.Add(new Operation(OperationKind.Linear, new[] { after }, rows, Weight: w, Bias: bias), "");
            b.Statements.Add($"return Linear({w}, {states[j].Name}, {bias});");
        }

        // Unrolled: each loop's body once per step, in the loop's order, each state's phi reading the
        // value the previous step left; a step read of a filled sequence reads what its loop wrote at
        // that step (at the mirrored step when reversed).
        var flat = new List<Operation>();
        var map = new int[b.Operations.Count];
        var current = loops.Select(l => new int[l.States.Length]).ToArray();
        var filled = loops.Select(_ => new int[length]).ToArray();
        void Copy(int i, int step)
        {
            Operation op = b.Operations[i];
            switch (op.Kind)
            {
                case OperationKind.Phi:
                case OperationKind.After:
                    map[i] = current[op.Loop][op.State];
                    return;
                case OperationKind.StepRead:
                    map[i] = filled[op.Loop][op.Reversed ? length - 1 - step : step];
                    return;
                default:
                    // An input read through Reverse(x) (by a layer over sequences) reads the mirrored step.
                    int read = op.Kind == OperationKind.Input && op.Reversed ? length - 1 - step : step;
                    flat.Add(op with { Operands = op.Operands.Select(o => map[o]).ToArray(), Step = op.InLoop ? read : -1, InLoop = false });
                    map[i] = flat.Count - 1;
                    return;
            }
        }
        for (int i = 0; i < b.Operations.Count;)
        {
            int l = loops.FindIndex(loop => loop.Start == i);
            if (l < 0)
            {
                Copy(i++, -1);
                continue;
            }
            Loop loop = loops[l];
            for (int j = 0; j < loop.States.Length; j++) current[l][j] = map[loop.States[j].Initial];
            var steps = Enumerable.Range(0, length);
            foreach (int t in loop.Backwards ? steps.Reverse() : steps)
            {
                for (int k = loop.Start; k < loop.End; k++) Copy(k, t);
                for (int j = 0; j < loop.States.Length; j++) current[l][j] = map[loop.States[j].Next];
                if (loop.Fill >= 0) filled[l][t] = map[loop.Fill];
            }
            i = loop.End;
        }
        int[] outputs = sequenceResult ? filled[main] : new[] { map[resultOperation] };
        return new RandomProgram(b, sequenceInput: true, sequenceResult, idsOnly, length, flat, outputs);
    }

    // A model over sequences called as a layer on `argument` (x, Reverse(x), or a sequence a loop
    // fills, maybe reversed): one in two times one already made for that width (its weights then
    // serve both calls), else a new one with a loop of its own (a state, a random body, a linear
    // output each step). Its operations join the model's, its loop becomes one of the model's loops,
    // and its input reads the argument step by step. Returns its field and the index of its loop
    // (whose filled sequence is the call's result).
    private static (string Field, int Loop) CallSequenceLayer(Builder b, List<Loop> loops, (string Written, int Loop, bool Reversed) argument)
    {
        int width = argument.Loop < 0 ? b.InputWidth : b.WidthOfFill(argument.Loop);
        var made = b.Layers.Where(l => l.Loop is not null && l.InputWidth == width).ToArray();
        Layer layer;
        if (made.Length > 0 && b.Choose(2) == 1)
            layer = made[b.Choose(made.Length)];
        else
        {
            var inner = b.Inner(width);
            int stateWidth = 1 + inner.Choose(7);
            int zeros = inner.Add(new Operation(OperationKind.Zeros, Array.Empty<int>(), stateWidth), "s0");
            inner.Statements.Add($"var s0 = Zeros(x, {stateWidth});");
            inner.Statements.Add("var outputs = SequenceLike(x);");
            Loop own = WriteLoop(inner, 0, inner.Choose(2) == 1, "x", new() { ("x", -1, false) }, new[] { ("s0", zeros, stateWidth) }, fill: "outputs", bodyCount: 1 + inner.Choose(3));
            inner.Statements.Add("return outputs;");
            layer = new Layer($"L{b.Layers.Count}", $"Layer{b.Layers.Count}", width, inner.Operations, inner.Parameters, inner.Statements, own);
            b.Layers.Add(layer);
        }

        int index = loops.Count;
        var map = new int[layer.Operations.Count];
        for (int i = 0; i < layer.Operations.Count; i++)
        {
            Operation op = layer.Operations[i];
            string? Qualified(string? name) => name is null ? null : $"{layer.Field}.{name}";
            map[i] = op.Kind switch
            {
                OperationKind.Input when argument.Loop < 0 => b.Add(op with { Reversed = argument.Reversed }, ""),
                OperationKind.Input => b.Add(new Operation(OperationKind.StepRead, Array.Empty<int>(), width, Loop: argument.Loop, Reversed: argument.Reversed, InLoop: true), ""),
                OperationKind.Phi => b.Add(op with { Loop = index }, ""),
                _ => b.Add(op with { Operands = op.Operands.Select(o => map[o]).ToArray(), Weight = Qualified(op.Weight), Bias = Qualified(op.Bias) }, ""),
            };
        }
        Loop l = layer.Loop!;
        loops.Add(new Loop(map[l.Start], map[l.End - 1] + 1, l.Backwards, l.States.Select(s => (map[s.Initial], map[s.Next])).ToArray(), map[l.Fill]));
        b.Fills[index] = b.Operations[map[l.Fill]].Width;
        return (layer.Field, index);
    }

    // One loop over the steps: reads a step of each readable sequence, carries the states, runs a
    // random body, and writes a value to the sequence `fill` each step (a linear output layer of the
    // last value for the result, the last value itself for an intermediate sequence).
    private static Loop WriteLoop(Builder b, int index, bool backwards, string over, List<(string Name, int Loop, bool Reversed)> readable,
        (string Name, int Zeros, int Width)[] states, string? fill, int bodyCount)
    {
        b.Statements.Add(backwards ? $"for (int t = {over}.Length - 1; t >= 0; t--)" : $"for (int t = 0; t < {over}.Length; t++)");
        b.Statements.Add("{");
        int start = b.Operations.Count;
        b.EnterLoop();
        // The step's input: x[t], or over ids alone a first embedding of ids[t] (which later statements may embed again).
        if (over == "x")
            b.Start(new Operation(OperationKind.Input, Array.Empty<int>(), b.InputWidth, InLoop: true), "x[t]");
        else
            b.Body(1, first: Builder.FirstStatement.Embedding);
        var layerResults = new List<int>();
        foreach (var (name, loop, reversed) in readable.Skip(1))
        {
            b.Start(new Operation(OperationKind.StepRead, Array.Empty<int>(), b.WidthOfFill(loop), Loop: loop, Reversed: reversed, InLoop: true), $"{name}[t]");
            if (name.StartsWith('v')) layerResults.Add(b.Operations.Count - 1);
        }
        for (int j = 0; j < states.Length; j++)
            b.Declare(states[j].Name, b.Add(new Operation(OperationKind.Phi, Array.Empty<int>(), states[j].Width, State: j, Loop: index, InLoop: true), states[j].Name));
        b.Body(bodyCount);
        // The results of layers over sequences join the step's last value, which the states and the
        // step's output then read: a layer the result does not depend on would pass every check
        // with zero gradients on both sides.
        int? joined = layerResults.Count > 0 ? b.Join(layerResults) : null;
        // Most states take a new value in the step (one in four stays at zero: a plain read of an outside local).
        foreach (var state in states)
            if (b.ValueOf(state.Name) is int value && b.Operations[value].Kind == OperationKind.Phi && b.Choose(4) != 0)
                b.Assign(state.Name, b.MakeLinear(state.Width, activation: true, operand: joined));
        var carried = states.Select(s => (s.Zeros, b.ValueOf(s.Name)!.Value)).ToArray();
        int written = -1;
        if (fill == "outputs")
        {
            int last = b.LastLocal;
            int rows = 1 + b.Choose(4);
            string w = b.Weight(rows, b.Operations[last].Width), bias = b.Bias(rows);
            written = b.Add(new Operation(OperationKind.Linear, new[] { last }, rows, Weight: w, Bias: bias), "");
            b.Statements.Add($"    outputs[t] = Linear({w}, {b.Text(last)}, {bias});");
        }
        else if (fill is not null)
        {
            written = b.LastLocal;
            b.Statements.Add($"    {fill}[t] = {b.Text(written)};");
        }
        b.LeaveLoop();
        b.Statements.Add("}");
        if (written >= 0) b.Fills[index] = b.Operations[written].Width;
        return new Loop(start, b.Operations.Count, backwards, carried, written);
    }

    /// <summary>Reads choices in order; past the end, 0.</summary>
    private sealed class Chooser(int[] choices)
    {
        private int _next;

        public int Choose(int options) => options <= 1 ? 0 : (int)((uint)(_next < choices.Length ? choices[_next++] : 0) % (uint)options);
    }

    /// <summary>Writes statements and records their operations; one for the model, one for each layer.</summary>
    private sealed class Builder
    {
        private readonly Chooser _chooser;
        private readonly bool _allowLayers;
        private readonly Dictionary<int, string> _text = new(); // how an operation is written where it is used
        private readonly List<(string Name, int Operation, bool Assignable)> _locals = new();
        private bool _inLoop;

        /// <summary>A builder for a layer's body, reading the same choices: no ids, no layers of its own.</summary>
        public Builder Inner(int inputWidth) => new(_chooser, inputWidth, idPositions: 0, vocabulary: 0, allowLayers: false);

        public Builder(Chooser chooser, int inputWidth, int idPositions, int vocabulary, bool allowLayers)
        {
            _chooser = chooser;
            InputWidth = inputWidth;
            IdPositions = idPositions;
            Vocabulary = vocabulary;
            _allowLayers = allowLayers;
        }

        public int InputWidth { get; }

        public int IdPositions { get; }

        public int Vocabulary { get; }

        public List<Operation> Operations { get; } = new();

        public List<Parameter> Parameters { get; } = new();

        public List<Layer> Layers { get; } = new();

        public List<string> Statements { get; } = new();

        /// <summary>The width of the sequence each loop fills, by loop.</summary>
        public Dictionary<int, int> Fills { get; } = new();

        public int WidthOfFill(int loop) => Fills[loop];

        public int LastLocal => _locals[^1].Operation;

        public int Choose(int options) => _chooser.Choose(options);

        public string Text(int operation) => _text[operation];

        public int Add(Operation operation, string written)
        {
            Operations.Add(operation with { InLoop = operation.InLoop || _inLoop });
            _text[Operations.Count - 1] = written;
            return Operations.Count - 1;
        }

        /// <summary>The input (x or x[t]): read by operations, never assigned.</summary>
        public void Start(Operation input, string written) => _locals.Add((written, Add(input, written), false));

        public void Declare(string name, int operation) => _locals.Add((name, operation, true));

        public int? ValueOf(string name) => _locals.Where(l => l.Name == name).Select(l => (int?)l.Operation).LastOrDefault();

        public void EnterLoop() => _inLoop = true;

        public void LeaveLoop()
        {
            _inLoop = false;
            // Every value of the body goes out of scope; what follows the loop reads a state's final
            // value through an After operation, not through the local.
            _locals.RemoveAll(l => Operations[l.Operation].InLoop);
        }

        public void Assign(string name, int value)
        {
            _locals.RemoveAll(l => l.Name == name);
            Statements.Add($"{Indent}{name} = {Strip(_text[value])};");
            _locals.Add((name, value, true));
            _text[value] = name;
        }

        private string Indent => _inLoop ? "    " : "";

        private string NewParameter(string prefix, int rows, int cols, bool isVector)
        {
            string name = $"{prefix}{Parameters.Count}";
            Parameters.Add(new Parameter(name, rows, cols, isVector));
            return name;
        }

        // A parameter of that shape: a new one, or (one time in four) one already used with that shape.
        private string Shared(string prefix, int rows, int cols, bool isVector)
        {
            var shared = Parameters.Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal) && p.Rows == rows && p.Cols == cols).Select(p => p.Name).ToArray();
            return shared.Length > 0 && Choose(4) == 0 ? shared[Choose(shared.Length)] : NewParameter(prefix, rows, cols, isVector);
        }

        public string Weight(int rows, int cols) => Shared("W", rows, cols, isVector: false);

        public string Bias(int rows) => Shared("b", rows, 1, isVector: true);

        /// <summary><paramref name="count"/> statements, each a new local or (one time in three) a local of the same width reassigned.</summary>
        /// <summary>What the first statement of a body is: any operation, or an embedding (where there is nothing yet to read).</summary>
        public enum FirstStatement
        {
            Any,
            Embedding,
        }

        public void Body(int count, FirstStatement first = FirstStatement.Any)
        {
            for (int s = 0; s < count; s++)
            {
                int value = s == 0 && first == FirstStatement.Embedding ? MakeEmbed() : MakeOperation(nested: true);
                var sameWidth = _locals.Where(l => l.Assignable && Operations[l.Operation].Width == Operations[value].Width).ToArray();
                if (sameWidth.Length > 0 && Choose(3) == 0)
                    Assign(sameWidth[Choose(sameWidth.Length)].Name, value);
                else
                    DeclareLocal(value);
            }
        }

        // `var hN = ...;`: a new local holding the value, which later statements read by its name.
        private void DeclareLocal(int value)
        {
            string name = $"h{Statements.Count}";
            Statements.Add($"{Indent}var {name} = {Strip(_text[value])};");
            _locals.Add((name, value, true));
            _text[value] = name;
        }

        /// <summary>A new local, the concatenation of the last value and <paramref name="reads"/>.</summary>
        public int Join(IReadOnlyList<int> reads)
        {
            int[] operands = reads.Prepend(LastLocal).ToArray();
            int value = Add(new Operation(OperationKind.Concat, operands, operands.Sum(o => Operations[o].Width)),
                $"Concat({string.Join(", ", operands.Select(o => _text[o]))})");
            DeclareLocal(value);
            return value;
        }

        /// <summary>The result: a linear operation of the last value (so every program has an output layer).</summary>
        public int Return()
        {
            int last = LastLocal;
            int rows = 1 + Choose(4);
            string w = Weight(rows, Operations[last].Width), b = Bias(rows);
            int result = Add(new Operation(OperationKind.Linear, new[] { last }, rows, Weight: w, Bias: b), "");
            Statements.Add($"return Linear({w}, {_text[last]}, {b});");
            return result;
        }

        // An operand: a local, or (one time in six, where the program has ids) a new embedding written in place.
        private int Operand() => IdPositions > 0 && Choose(6) == 0 ? MakeEmbed() : _locals[Choose(_locals.Count)].Operation;

        private int MakeEmbed()
        {
            int dimension = 1 + Choose(3);
            string table = Shared("E", Vocabulary, dimension, isVector: false);
            string ids = _inLoop ? "ids[t]" : "ids";
            return Add(new Operation(OperationKind.Embed, Array.Empty<int>(), IdPositions * dimension, Weight: table), $"Embed({table}, {ids})");
        }

        /// <summary>A linear operation of <paramref name="rows"/> outputs on an operand, with or without bias, written as an operator or a call, and (where asked, one time in two) inside an activation.</summary>
        public int MakeLinear(int rows, bool activation, int? operand = null)
        {
            int a = operand ?? Operand();
            string w = Weight(rows, Operations[a].Width);
            bool withBias = Choose(2) == 0;
            string? b = withBias ? Bias(rows) : null;
            string written = (withBias, Choose(2)) switch
            {
                (true, 0) => $"{w} * {_text[a]} + {b}",
                (true, _) => $"Linear({w}, {_text[a]}, {b})",
                (false, 0) => $"{w} * {_text[a]}",
                (false, _) => $"Linear({w}, {_text[a]})",
            };
            int linear = Add(new Operation(OperationKind.Linear, new[] { a }, rows, Weight: w, Bias: b), $"({written})");
            if (!activation || Choose(2) == 0) return linear;
            string function = Functions[Choose(Functions.Length)];
            return Add(new Operation(OperationKind.Activation, new[] { linear }, rows, Function: function), $"{function}({written})");
        }

        // One operation on existing values; `nested` allows an operand that is itself a new linear operation.
        private int MakeOperation(bool nested)
        {
            switch (Choose(11))
            {
                case 0:
                case 1:
                case 7:
                    return MakeLinear(1 + Choose(7), activation: nested);
                case 2:
                {
                    int a = Operand();
                    string function = Functions[Choose(Functions.Length)];
                    return Add(new Operation(OperationKind.Activation, new[] { a }, Operations[a].Width, Function: function), $"{function}({_text[a]})");
                }
                case 3:
                {
                    int a = Operand();
                    // A partner of the same width, which may be a itself (a value read twice).
                    var partners = _locals.Where(l => Operations[l.Operation].Width == Operations[a].Width).Select(l => l.Operation).Append(a).Distinct().ToArray();
                    int b = partners[Choose(partners.Length)];
                    (OperationKind op, string symbol, string call) = Choose(3) switch
                    {
                        0 => (OperationKind.Add, "+", "Add"),
                        1 => (OperationKind.Subtract, "-", "Subtract"),
                        _ => (OperationKind.Multiply, "*", "Multiply"),
                    };
                    string written = Choose(2) == 0 ? $"({_text[a]} {symbol} {_text[b]})" : $"{call}({_text[a]}, {_text[b]})";
                    return Add(new Operation(op, new[] { a, b }, Operations[a].Width), written);
                }
                case 4:
                {
                    // A bias add on a value that is not a linear operation's result, where it would fold into that operation.
                    var candidates = _locals.Where(l => Operations[l.Operation].Kind != OperationKind.Linear).Select(l => l.Operation).ToArray();
                    if (candidates.Length == 0) return MakeLinear(1 + Choose(7), activation: false);
                    int a = candidates[Choose(candidates.Length)];
                    string b = Bias(Operations[a].Width);
                    return Add(new Operation(OperationKind.AddBias, new[] { a }, Operations[a].Width, Bias: b), $"AddBias({_text[a]}, {b})");
                }
                case 5:
                {
                    int parts = 2 + Choose(2);
                    int[] operands = Enumerable.Range(0, parts).Select(_ => Operand()).ToArray();
                    return Add(new Operation(OperationKind.Concat, operands, operands.Sum(o => Operations[o].Width)),
                        $"Concat({string.Join(", ", operands.Select(o => _text[o]))})");
                }
                case 6:
                {
                    int a = Operand();
                    double rate = Rates[Choose(Rates.Length)];
                    return Add(new Operation(OperationKind.Dropout, new[] { a }, Operations[a].Width, Rate: rate),
                        $"Dropout({_text[a]}, {rate.ToString("0.0#", CultureInfo.InvariantCulture)})");
                }
                case 8:
                    return IdPositions > 0 ? MakeEmbed() : MakeLinear(1 + Choose(7), activation: false);
                default: // 9, 10
                    return _allowLayers ? CallLayer() : MakeLinear(1 + Choose(7), activation: nested);
            }
        }

        // A model used as a layer: one in two times one already called, on a local of its input width
        // (its weights then serve both calls), else a new one with a random body of one to three statements.
        private int CallLayer()
        {
            var batchLayers = Layers.Where(l => l.Loop is null).ToArray();
            if (batchLayers.Length > 0 && Choose(2) == 0)
            {
                Layer again = batchLayers[Choose(batchLayers.Length)];
                var fits = _locals.Where(l => Operations[l.Operation].Width == again.InputWidth).ToArray();
                if (fits.Length > 0) return Inline(again, fits[Choose(fits.Length)].Operation);
            }
            int a = Operand();
            var inner = Inner(Operations[a].Width);
            inner.Start(new Operation(OperationKind.Input, Array.Empty<int>(), Operations[a].Width), "x");
            inner.Body(1 + Choose(3));
            inner.Return();
            var layer = new Layer($"L{Layers.Count}", $"Layer{Layers.Count}", Operations[a].Width, inner.Operations, inner.Parameters, inner.Statements);
            Layers.Add(layer);
            return Inline(layer, a);
        }

        private int Inline(Layer layer, int a)
        {
            // Inlined: the layer's input is the operand; its parameters go by their qualified names.
            var map = new int[layer.Operations.Count];
            map[0] = a;
            for (int i = 1; i < layer.Operations.Count; i++)
            {
                Operation op = layer.Operations[i];
                string? Qualified(string? name) => name is null ? null : $"{layer.Field}.{name}";
                Operations.Add(op with { Operands = op.Operands.Select(o => map[o]).ToArray(), Weight = Qualified(op.Weight), Bias = Qualified(op.Bias), InLoop = _inLoop });
                map[i] = Operations.Count - 1;
            }
            _text[Operations.Count - 1] = $"{layer.Field}.Forward({_text[a]})";
            return Operations.Count - 1;
        }
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

    /// <summary>The layers' classes, then the model class: parameters as fields filled from a seeded source, and the [MeProp] methods.</summary>
    public string Source(int k)
    {
        var s = new StringBuilder();
        s.AppendLine("using MeProp;");
        s.AppendLine("using static MeProp.Ops;");
        foreach (Layer layer in _layers)
        {
            s.AppendLine();
            // Internal fields: the model's generated pass inlines the layer's forward method and reads them.
            string type = layer.Loop is null ? "Batch<double>" : "Sequence<double>";
            WriteClass(s, layer.Class, "internal", layer.Parameters, Array.Empty<Layer>(), k, $"{type} x", type, layer.Statements);
        }
        s.AppendLine();
        string inputs = IdsOnly ? "IdSequence ids"
            : (SequenceInput ? "Sequence<double> x" : "Batch<double> x") + (IdPositions == 0 ? "" : SequenceInput ? ", IdSequence ids" : ", IdBatch ids");
        WriteClass(s, ClassName, "private", _parameters, _layers, k, inputs, SequenceResult ? "Sequence<double>" : "Batch<double>", _statements);
        return s.ToString();
    }

    private static void WriteClass(StringBuilder s, string name, string access, List<Parameter> parameters, IReadOnlyList<Layer> layers, int k, string inputs, string result, List<string> statements)
    {
        s.AppendLine($"public sealed partial class {name}");
        s.AppendLine("{");
        foreach (Parameter p in parameters)
            s.AppendLine(p.IsVector ? $"    {access} readonly RowVector<double> {p.Name};" : $"    {access} readonly Matrix<double> {p.Name};");
        foreach (Layer layer in layers)
            s.AppendLine($"    private readonly {layer.Class} {layer.Field};");
        s.AppendLine();
        s.AppendLine($"    public {name}(SeededRandom random)");
        s.AppendLine("    {");
        foreach (Parameter p in parameters)
            s.AppendLine(p.IsVector
                ? $"        {p.Name} = new RowVector<double>(Values(random, {p.Rows}));"
                : $"        {p.Name} = new Matrix<double>({p.Rows}, {p.Cols}, Values(random, {p.Rows * p.Cols}));");
        foreach (Layer layer in layers)
            s.AppendLine($"        {layer.Field} = new {layer.Class}(random);");
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
        s.AppendLine($"    public {result} Forward({inputs})");
        s.AppendLine("    {");
        foreach (string statement in statements) s.AppendLine($"        {statement}");
        s.AppendLine("    }");
        s.AppendLine("}");
    }
}
