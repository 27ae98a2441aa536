using System.Collections.Generic;
using System.IO;
using MeProp.Datasets.UdEnglishEwt;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class EwtLocatorTests
{
    [Fact]
    public void Data_option_wins_over_the_variable_and_the_cache()
    {
        using var temp = new TempFolder();
        string explicitFolder = temp.Sub("explicit");
        SyntheticEwt.Write(explicitFolder);
        var (locator, _) = Locator(temp, withVariableData: true, withCacheData: true);

        var location = locator.Locate(explicitFolder);
        Assert.Equal(EwtDataSource.DataOption, location.Source);
        Assert.Equal(explicitFolder, location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.Equal($"--data {explicitFolder}", location.Description);
    }

    [Fact]
    public void Data_option_accepts_a_folder_with_ud_english_ewt_inside()
    {
        using var temp = new TempFolder();
        string root = temp.Sub("root");
        SyntheticEwt.Write(Path.Combine(root, "ud-english-ewt"));
        var (locator, _) = Locator(temp, withVariableData: false, withCacheData: false);
        var location = locator.Locate(root);
        Assert.Equal(Path.Combine(root, "ud-english-ewt"), location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.Contains("its ud-english-ewt/ folder", location.Description);
    }

    [Fact]
    public void Data_option_without_files_is_the_acquisition_target()
    {
        using var temp = new TempFolder();
        string empty = temp.Sub("empty");
        var (locator, _) = Locator(temp, withVariableData: true, withCacheData: true);
        var location = locator.Locate(empty);
        Assert.Equal(EwtDataSource.DataOption, location.Source);
        Assert.Equal(empty, location.Directory);
        Assert.False(location.HasAllFiles);
        Assert.Equal(EwtFiles.All, location.MissingFiles);
    }

    [Fact]
    public void Variable_wins_over_the_cache()
    {
        using var temp = new TempFolder();
        var (locator, variable) = Locator(temp, withVariableData: true, withCacheData: true);
        var location = locator.Locate(null);
        Assert.Equal(EwtDataSource.EnvironmentVariable, location.Source);
        Assert.Equal(Path.Combine(variable, "ud-english-ewt"), location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.StartsWith("MEPROP_DATA=", location.Description);
    }

    [Fact]
    public void Cache_is_used_when_neither_option_nor_variable_is_given()
    {
        using var temp = new TempFolder();
        var locator = new EwtLocator(_ => null, temp.Path);
        SyntheticEwt.Write(Path.Combine(temp.Path, "MeProp", "ud-english-ewt"));
        var location = locator.Locate(null);
        Assert.Equal(EwtDataSource.UserCache, location.Source);
        Assert.Equal(Path.Combine(temp.Path, "MeProp", "ud-english-ewt"), location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.Null(location.Note);
    }

    [Fact]
    public void Incomplete_variable_falls_through_to_the_cache_which_needs_acquisition()
    {
        using var temp = new TempFolder();
        var (locator, variable) = Locator(temp, withVariableData: false, withCacheData: false);
        // Only the training file: the variable's folder exists but is incomplete.
        string nested = temp.Sub(Path.Combine("variable", "ud-english-ewt"));
        File.WriteAllBytes(Path.Combine(nested, EwtFiles.Train), SyntheticEwt.Content(EwtFiles.Train));

        var location = locator.Locate("  ");
        Assert.Equal(EwtDataSource.UserCache, location.Source);
        Assert.False(location.HasAllFiles);
        Assert.Equal(EwtFiles.All, location.MissingFiles);
        Assert.Equal($"MEPROP_DATA={variable} was passed over: {nested} lacks {EwtFiles.Development}, {EwtFiles.Test}", location.Note);
    }

    [Fact]
    public void Cache_root_is_the_one_MNIST_uses()
    {
        if (System.OperatingSystem.IsWindows()) return; // LocalApplicationData there, not injectable
        var env = new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "/x/cache", ["HOME"] = "/home/u" };
        Assert.Equal(Path.Combine("/x/cache", "MeProp", "ud-english-ewt"), new EwtLocator(name => env.GetValueOrDefault(name)).CacheDirectory);
        env.Remove("XDG_CACHE_HOME");
        Assert.Equal(Path.Combine("/home/u/.cache", "MeProp", "ud-english-ewt"), new EwtLocator(name => env.GetValueOrDefault(name)).CacheDirectory);
        Assert.Equal(
            Path.GetDirectoryName(new MeProp.Datasets.Mnist.MnistLocator(name => env.GetValueOrDefault(name)).CacheDirectory),
            Path.GetDirectoryName(new EwtLocator(name => env.GetValueOrDefault(name)).CacheDirectory));
    }

    [Fact]
    public void Found_files_are_used_without_a_checksum()
    {
        // A folder with files of another content (another release, a corrected copy) is complete.
        using var temp = new TempFolder();
        string folder = temp.Sub("other-release");
        SyntheticEwt.Write(folder, variant: "-other");
        var location = new EwtLocator(_ => null, temp.Sub("cache")).Locate(folder);
        Assert.True(location.HasAllFiles);
        Assert.Equal(3, EwtDataset.Load(location.Directory).Training.Count);
    }

    // A locator whose MEPROP_DATA is temp/variable and whose cache root is temp/cache, with or
    // without complete data in each.
    private static (EwtLocator Locator, string Variable) Locator(TempFolder temp, bool withVariableData, bool withCacheData)
    {
        string variable = temp.Sub("variable");
        string cacheRoot = temp.Sub("cache");
        if (withVariableData) SyntheticEwt.Write(Path.Combine(variable, "ud-english-ewt"));
        if (withCacheData) SyntheticEwt.Write(Path.Combine(cacheRoot, "MeProp", "ud-english-ewt"));
        var env = new Dictionary<string, string?> { [EwtLocator.EnvironmentVariable] = variable };
        return (new EwtLocator(name => env.GetValueOrDefault(name), cacheRoot), variable);
    }
}
