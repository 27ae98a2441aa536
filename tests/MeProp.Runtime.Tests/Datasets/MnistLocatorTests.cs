using System.Collections.Generic;
using System.IO;
using MeProp.Datasets.Mnist;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class MnistLocatorTests
{
    [Fact]
    public void Data_option_wins_over_the_variable_and_the_cache()
    {
        using var temp = new TempFolder();
        string explicitFolder = temp.Sub("explicit");
        SyntheticMnist.Write(explicitFolder);
        var (locator, _) = Locator(temp, withVariableData: true, withCacheData: true);

        var location = locator.Locate(explicitFolder);
        Assert.Equal(MnistDataSource.DataOption, location.Source);
        Assert.Equal(explicitFolder, location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.Contains("--data", location.Description);
    }

    [Fact]
    public void Data_option_accepts_a_folder_with_mnist_inside()
    {
        using var temp = new TempFolder();
        string root = temp.Sub("root");
        SyntheticMnist.Write(temp.Sub(Path.Combine("root", "mnist")));
        var (locator, _) = Locator(temp, withVariableData: false, withCacheData: false);
        var location = locator.Locate(root);
        Assert.Equal(Path.Combine(root, "mnist"), location.Directory);
        Assert.True(location.HasAllFiles);
    }

    [Fact]
    public void Data_option_without_files_is_the_acquisition_target()
    {
        using var temp = new TempFolder();
        string empty = temp.Sub("empty");
        var (locator, _) = Locator(temp, withVariableData: true, withCacheData: true);
        var location = locator.Locate(empty);
        Assert.Equal(MnistDataSource.DataOption, location.Source);
        Assert.Equal(empty, location.Directory);
        Assert.False(location.HasAllFiles);
        Assert.Equal(MnistFiles.All, location.MissingFiles);
    }

    [Fact]
    public void Variable_wins_over_the_cache()
    {
        using var temp = new TempFolder();
        var (locator, variable) = Locator(temp, withVariableData: true, withCacheData: true);
        var location = locator.Locate(null);
        Assert.Equal(MnistDataSource.EnvironmentVariable, location.Source);
        Assert.Equal(Path.Combine(variable, "mnist"), location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.Contains("MEPROP_DATA=", location.Description);
    }

    [Fact]
    public void Cache_is_used_when_neither_option_nor_variable_is_given()
    {
        using var temp = new TempFolder();
        var locator = new MnistLocator(_ => null, temp.Path);
        SyntheticMnist.Write(temp.Sub(Path.Combine("MeProp", "mnist")));
        var location = locator.Locate(null);
        Assert.Equal(MnistDataSource.UserCache, location.Source);
        Assert.Equal(Path.Combine(temp.Path, "MeProp", "mnist"), location.Directory);
        Assert.True(location.HasAllFiles);
        Assert.Null(location.Note);
    }

    [Fact]
    public void Incomplete_variable_falls_through_to_the_cache_which_needs_acquisition()
    {
        using var temp = new TempFolder();
        var (locator, variable) = Locator(temp, withVariableData: false, withCacheData: false);
        var location = locator.Locate("  ");
        Assert.Equal(MnistDataSource.UserCache, location.Source);
        Assert.False(location.HasAllFiles);
        Assert.Equal(4, location.MissingFiles.Count);
        Assert.Contains($"MEPROP_DATA={variable} was passed over", location.Note);
    }

    [Fact]
    public void Default_cache_root_follows_XDG_then_HOME()
    {
        if (System.OperatingSystem.IsWindows()) return; // LocalApplicationData there, not injectable
        var env = new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "/x/cache", ["HOME"] = "/home/u" };
        Assert.Equal("/x/cache", MnistLocator.DefaultCacheRoot(name => env.GetValueOrDefault(name)));
        env["XDG_CACHE_HOME"] = "relative/ignored";
        Assert.Equal("/home/u/.cache", MnistLocator.DefaultCacheRoot(name => env.GetValueOrDefault(name)));
        Assert.Equal(Path.Combine("/home/u/.cache", "MeProp", "mnist"), new MnistLocator(name => env.GetValueOrDefault(name)).CacheDirectory);
    }

    // A locator whose MEPROP_DATA is temp/variable and whose cache root is temp/cache, with or
    // without complete data in each.
    private static (MnistLocator Locator, string Variable) Locator(TempFolder temp, bool withVariableData, bool withCacheData)
    {
        string variable = temp.Sub("variable");
        string cacheRoot = temp.Sub("cache");
        if (withVariableData) SyntheticMnist.Write(temp.Sub(Path.Combine("variable", "mnist")));
        if (withCacheData) SyntheticMnist.Write(temp.Sub(Path.Combine("cache", "MeProp", "mnist")));
        var env = new Dictionary<string, string?> { [MnistLocator.EnvironmentVariable] = variable };
        return (new MnistLocator(name => env.GetValueOrDefault(name), cacheRoot), variable);
    }
}
