#!/usr/bin/env bash
# Packs what tools/device/check.sh needs into .device/ (git-ignored), for a GPU machine that has
# no .NET SDK and no network (the `device` tool's machines): the .NET runtime (host and shared
# framework only), the Release builds of the accelerator tests, the benchmarks and the MNIST example,
# xUnit's console runner, and the MNIST files. Run it here, then hand .device to the machine:
#   bash tools/device/prepare.sh
#   device run, carry [".device"], command: bash tools/device/check.sh
# Everything is compressed (xz): the runtime is ~26 MB of the 64 MiB a call may carry.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.device
rm -rf "$out"
mkdir -p "$out/stage/apps" "$out/mnist"

dotnet build tests/MeProp.Accelerators.Tests -c Release -nologo -v quiet
dotnet build tests/MeProp.Benchmarks -c Release -nologo -v quiet

# One folder for the three programs: they share most assemblies, built from one solution.
for app in tests/MeProp.Accelerators.Tests examples/Mnist tests/MeProp.Benchmarks; do
  cp -r "$app/bin/Release/net10.0/." "$out/stage/apps/"
done
# The test project restores the runner (PackageDownload); it runs v2 test assemblies on any newer runtime.
runner="${NUGET_PACKAGES:-$HOME/.nuget/packages}/xunit.runner.console/2.4.1/tools/netcoreapp2.0"
[ -f "$runner/xunit.console.dll" ] || { echo "xUnit's console runner is not in the NuGet cache ($runner): restore tests/MeProp.Accelerators.Tests first." >&2; exit 1; }
cp -r "$runner" "$out/stage/xunit"
tar -cJf "$out/apps.tar.xz" -C "$out/stage" .
rm -rf "$out/stage"

# The runtime the build targets: the dotnet host, hostfxr and Microsoft.NETCore.App of that version.
root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
version="$(sed -n 's/.*"version": "\(10\.[^"]*\)".*/\1/p' tests/MeProp.Benchmarks/bin/Release/net10.0/MeProp.Benchmarks.runtimeconfig.json | head -1)"
framework="$(ls -d "$root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)"
echo "runtime: $(basename "$framework") (the build asks for $version or newer)"
tar -cJf "$out/runtime.tar.xz" -C "$root" dotnet host "shared/Microsoft.NETCore.App/$(basename "$framework")"

# MNIST, for one epoch of the example on the GPU.
data="${MEPROP_DATA:-../shared/data}/mnist"
[ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "No MNIST files in $data: set MEPROP_DATA." >&2; exit 1; }
cp "$data"/*-ubyte.gz "$out/mnist/"

du -sh "$out"/*
du -sh "$out"
