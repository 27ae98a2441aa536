using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace MeProp.Examples;

/// <summary>
/// Epoch results as compact JSON, for what must read them back: a checkpoint's record of the epochs
/// so far, the reproduction's stored runs. Doubles are written shortest-round-trip, so the results
/// read back are the same bits.
/// </summary>
public static class EpochJson
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static string Serialize(IEnumerable<EpochResult> epochs) => JsonSerializer.Serialize(epochs.Select(EpochRecord.Of).ToArray(), Json);

    /// <exception cref="JsonException">The text is not a list of epochs as <see cref="Serialize"/> writes it.</exception>
    public static List<EpochResult> Deserialize(string json)
    {
        EpochRecord[] records = JsonSerializer.Deserialize<EpochRecord[]>(json, Json) ?? throw new JsonException("The list of epochs is null.");
        return records.Select(r => r.ToResult()).ToList();
    }

    private sealed record EpochRecord(int Epoch, double TrainLoss, double DevAccuracy, double TestAccuracy, double[] Seconds,
        double[] UpdatedRowFraction, Dictionary<string, double> Metrics, Dictionary<string, double> Measures)
    {
        public static EpochRecord Of(EpochResult e) => new(e.Epoch, e.TrainLoss, e.DevAccuracy, e.TestAccuracy,
            new[] { e.Seconds.Forward, e.Seconds.LinearBackward, e.Seconds.Backward, e.Seconds.Update },
            e.UpdatedRowFraction.ToArray(), new Dictionary<string, double>(e.Metrics), new Dictionary<string, double>(e.Measures));

        public EpochResult ToResult()
        {
            if (Seconds is not { Length: 4 } || UpdatedRowFraction is null || Metrics is null || Measures is null)
                throw new JsonException("An epoch is recorded with four phase times, the updated-row shares, metrics and measures.");
            return new EpochResult(Epoch, TrainLoss, DevAccuracy, TestAccuracy, new PhaseSeconds(Seconds[0], Seconds[1], Seconds[2], Seconds[3]), UpdatedRowFraction)
            {
                Metrics = Metrics,
                Measures = Measures,
            };
        }
    }
}
