using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MeProp.Checkpoints;
using MeProp.Datasets;
using Xunit;

namespace MeProp.Runtime.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("meprop-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static Parameter<T>[] MakeParameters<T>(int seed, int rows = 3, int cols = 5) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed);
        return new[]
        {
            new Parameter<T>("W", new Matrix<T>(rows, cols, Enumerable.Range(0, rows * cols).Select(_ => T.CreateChecked(random.NextGaussian())).ToArray())),
            new Parameter<T>("b", new RowVector<T>(Enumerable.Range(0, rows).Select(_ => T.CreateChecked(random.NextGaussian())).ToArray())),
        };
    }

    // A step with gradients drawn from `random`, touching a random subset of W's rows (as meProp's backward does).
    private static void TrainStep<T>(Parameter<T>[] parameters, Optimizer<T> optimizer, SeededRandom random) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        foreach (Parameter<T> p in parameters)
        {
            p.Gradient.Clear();
            for (int row = 0; row < p.Rows; row++)
            {
                if (random.NextDouble() < 0.4) continue;
                p.Gradient.MarkRow(row);
                for (int c = 0; c < p.Cols; c++) p.Gradient.Row(row)[c] = T.CreateChecked(random.NextGaussian());
            }
        }
        optimizer.Step(parameters);
    }

    private static T[][] Values<T>(Parameter<T>[] parameters) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        => parameters.Select(p => p.Value.ToArray()).ToArray();

    public static TheoryData<string> Optimizers() => new() { "adam", "adagrad", "sgd" };

    private static Optimizer<T> Create<T>(string kind) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> => kind switch
    {
        "adam" => new Adam<T>(0.01),
        "adagrad" => new AdaGrad<T>(0.1),
        _ => new Sgd<T>(0.1),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Resuming_from_a_checkpoint_continues_bit_for_bit_in_float(string kind) => ResumeIsExact<float>(kind);

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Resuming_from_a_checkpoint_continues_bit_for_bit_in_double(string kind) => ResumeIsExact<double>(kind);

    private void ResumeIsExact<T>(string kind) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        // Uninterrupted: 7 steps. Interrupted: 4 steps, save, fresh objects, load, 3 more.
        var straight = MakeParameters<T>(1);
        Optimizer<T> straightOptimizer = Create<T>(kind);
        var gradients = new SeededRandom(9);
        for (int i = 0; i < 7; i++) TrainStep(straight, straightOptimizer, gradients);

        var first = MakeParameters<T>(1);
        Optimizer<T> firstOptimizer = Create<T>(kind);
        gradients = new SeededRandom(9);
        for (int i = 0; i < 4; i++) TrainStep(first, firstOptimizer, gradients);
        Checkpoint.Save(PathOf("c.safetensors"), first, firstOptimizer, new Dictionary<string, string> { ["random"] = gradients.State.ToString() });

        var resumed = MakeParameters<T>(2); // other initial values: all must come from the file
        Optimizer<T> resumedOptimizer = Create<T>(kind);
        var metadata = Checkpoint.Load(PathOf("c.safetensors"), resumed, resumedOptimizer);
        Assert.Equal(4, resumedOptimizer.StepCount);
        var resumedGradients = new SeededRandom(0) { State = SeededRandomState.Parse(metadata["random"]) };
        for (int i = 0; i < 3; i++) TrainStep(resumed, resumedOptimizer, resumedGradients);

        Assert.Equal(Values(straight), Values(resumed));
    }

    [Fact]
    public void The_weights_and_adams_moments_are_named_tensors_other_readers_find()
    {
        var parameters = MakeParameters<float>(3);
        var adam = new Adam<float>(0.01);
        TrainStep(parameters, adam, new SeededRandom(4));
        Checkpoint.Save(PathOf("c.safetensors"), parameters, adam);

        var (tensors, metadata) = IndependentSafeTensorsReader.Read(File.ReadAllBytes(PathOf("c.safetensors")));
        Assert.Equal(new long[] { 3, 5 }, tensors["W"].Shape);
        Assert.Equal(new long[] { 3, 1 }, tensors["b"].Shape);
        Assert.Equal(parameters[0].Value.ToArray(), IndependentSafeTensorsReader.Floats(tensors["W"]));
        Assert.Equal(adam.StateOf(parameters, 0, 0).ToArray(), IndependentSafeTensorsReader.Floats(tensors["optimizer.m.W"]));
        Assert.Equal(adam.StateOf(parameters, 1, 1).ToArray(), IndependentSafeTensorsReader.Floats(tensors["optimizer.v.b"]));
        Assert.Equal("Adam", metadata[Checkpoint.OptimizerKey]);
        Assert.Equal("1", metadata[Checkpoint.OptimizerStepsKey]);
        Assert.Equal("float", metadata[Checkpoint.ElementTypeKey]);
    }

    [Fact]
    public void A_checkpoint_of_another_shape_fails_and_changes_nothing()
    {
        Checkpoint.Save(PathOf("c.safetensors"), MakeParameters<float>(1, rows: 4), new Adam<float>());
        var parameters = MakeParameters<float>(2);
        var before = Values(parameters);
        var adam = new Adam<float>();
        var error = Assert.Throws<DataFormatException>(() => Checkpoint.Load(PathOf("c.safetensors"), parameters, adam));
        Assert.Contains("tensor 'W' has shape [4, 5], but the model's 'W' is [3, 5]", error.Message);
        Assert.Contains("c.safetensors", error.Message);
        Assert.Equal(before, Values(parameters));
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void Element_type_optimizer_kind_and_missing_state_are_checked()
    {
        Checkpoint.Save(PathOf("double.safetensors"), MakeParameters<double>(1), new Adam<double>());
        Assert.Contains("holds double parameters, but the model's are float",
            Assert.Throws<DataFormatException>(() => Checkpoint.Load(PathOf("double.safetensors"), MakeParameters<float>(1))).Message);

        Checkpoint.Save(PathOf("adam.safetensors"), MakeParameters<float>(1), new Adam<float>());
        Assert.Contains("holds Adam's state, but the optimizer is AdaGrad",
            Assert.Throws<DataFormatException>(() => Checkpoint.Load(PathOf("adam.safetensors"), MakeParameters<float>(1), new AdaGrad<float>(0.1))).Message);

        Checkpoint.Save(PathOf("plain.safetensors"), MakeParameters<float>(1));
        Assert.Contains("no optimizer state",
            Assert.Throws<DataFormatException>(() => Checkpoint.Load(PathOf("plain.safetensors"), MakeParameters<float>(1), new Adam<float>())).Message);

        // Weights alone load from a file that also has optimizer state.
        var weights = MakeParameters<float>(5);
        Checkpoint.Load(PathOf("adam.safetensors"), weights);
        Assert.Equal(Values(MakeParameters<float>(1)), Values(weights));
    }

    [Fact]
    public void A_safetensors_file_that_is_not_a_checkpoint_says_so()
    {
        var writer = new SafeTensorsWriter();
        writer.Add<float>("W", new float[15], 3, 5);
        writer.Save(PathOf("foreign.safetensors"));
        Assert.Contains("not a MeProp checkpoint",
            Assert.Throws<DataFormatException>(() => Checkpoint.Load(PathOf("foreign.safetensors"), MakeParameters<float>(1))).Message);
    }

    [Fact]
    public void A_kill_during_save_leaves_the_previous_checkpoint_loadable()
    {
        var parameters = MakeParameters<float>(1);
        var adam = new Adam<float>(0.01);
        TrainStep(parameters, adam, new SeededRandom(1));
        Checkpoint.Save(PathOf("c.safetensors"), parameters, adam);
        var saved = Values(parameters);

        TrainStep(parameters, adam, new SeededRandom(2));
        var writer = new SafeTensorsWriter();
        Checkpoint.AddTo(writer, parameters, adam);
        Assert.Throws<IOException>(() => AtomicFile.Write(PathOf("c.safetensors"), writer.WriteTo, _ => throw new IOException("killed")));

        var loaded = MakeParameters<float>(7);
        var loadedAdam = new Adam<float>(0.01);
        Checkpoint.Load(PathOf("c.safetensors"), loaded, loadedAdam);
        Assert.Equal(saved, Values(loaded));
        Assert.Equal(1, loadedAdam.StepCount);
    }

    [Fact]
    public void Every_truncation_of_a_checkpoint_fails_with_a_format_error()
    {
        var parameters = MakeParameters<float>(1, rows: 2, cols: 3);
        Checkpoint.Save(PathOf("c.safetensors"), parameters, new Adam<float>());
        byte[] whole = File.ReadAllBytes(PathOf("c.safetensors"));
        for (int length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(PathOf("t.safetensors"), whole[..length]);
            var target = MakeParameters<float>(2, rows: 2, cols: 3);
            var before = Values(target);
            Assert.Throws<DataFormatException>(() => Checkpoint.Load(PathOf("t.safetensors"), target, new Adam<float>()));
            Assert.Equal(before, Values(target));
        }
    }
}
