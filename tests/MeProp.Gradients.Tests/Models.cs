using MeProp;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

/// <summary>The paper's MNIST MLP shape, small: two ReLU hidden layers and a linear output.</summary>
public sealed partial class Mlp
{
    public Matrix<double> W1, W2, W3;
    public RowVector<double> b1, b2, b3;

    public Mlp(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        W1 = Random(hidden, input, random); b1 = RandomVector(hidden, random);
        W2 = Random(hidden, hidden, random); b2 = RandomVector(hidden, random);
        W3 = Random(output, hidden, random); b3 = RandomVector(output, random);
    }

    [MeProp(K = 3)]
    public Batch<double> Forward(Batch<double> x)
    {
        var h1 = Relu(W1 * x + b1);
        var h2 = Relu(W2 * h1 + b2);
        return W3 * h2 + b3;
    }

    internal static Matrix<double> Random(int rows, int cols, SeededRandom random)
    {
        var m = new Matrix<double>(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = random.NextDouble() * 2 - 1;
        return m;
    }

    internal static RowVector<double> RandomVector(int n, SeededRandom random)
    {
        var v = new RowVector<double>(n);
        for (int i = 0; i < n; i++) v.Data[i] = random.NextDouble() - 0.5;
        return v;
    }
}
