#!/usr/bin/env bash
# The GPU check, on the `device` tool's machine (CUDA, no .NET SDK, no network), from what
# tools/device/prepare.sh packed into .device/ (carried; run from the repository root:
# bash tools/device/check.sh; about 9 minutes at most, each step under its own timeout).
# Writes its results to $OUT (at most 8 files):
#   gpu.txt         the device and driver
#   tests.log       every accelerator test run on the CUDA device (MEPROP_TEST_ACCELERATOR=cuda),
#                   and the cuBLAS test that needs CUDA
#   table7.md       DeviceLayerBackwardBenchmarks (BenchmarkDotNet, short job, in process)
#   table8.md       DeviceMnistBackwardBenchmarks
#   mnist.log/json  the MNIST example, h = 8192, batch 1024, one epoch, dense then unified k = 8
# Each step goes on when an earlier one fails, so that one call brings back everything it can.
# `check.sh --rehearse` runs the same steps here, without a GPU, on ILGPU's CPU accelerator at small
# sizes (the suites' smoke mode): it checks the packing and the script, not the kernels' speed.
set -uo pipefail
cd "$(dirname "$0")/../.."
pack="$PWD/.device"
out="${OUT:-/tmp/meprop-device-out}"
mkdir -p "$out" /tmp/meprop/dotnet /tmp/meprop/apps
start=$SECONDS
stamp() { echo "[$((SECONDS - start)) s] $*"; }

tar -xJf "$pack/runtime.tar.xz" -C /tmp/meprop/dotnet
tar -xJf "$pack/apps.tar.xz" -C /tmp/meprop/apps
export DOTNET_ROOT=/tmp/meprop/dotnet PATH="/tmp/meprop/dotnet:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
apps=/tmp/meprop/apps/apps
accelerator=cuda mnist_size=(--hidden 8192 --batch 1024)
if [ "${1:-}" = "--rehearse" ]; then
  accelerator=cpu mnist_size=(--hidden 32 --batch 100 --train-limit 1000)
  export MEPROP_GPU_BENCH=smoke
fi
stamp "unpacked"
# ILGPU 1.5.3's cuBLAS binding opens libcublas.so.10, 11 or 12; an image with CUDA 13 has only
# libcublas.so.13. Offer that one under the name 12: the entry points the binding calls (cublasCreate_v2,
# cublasSetStream_v2, cublasSgemm_v2, ...) are still exported; the cuBLAS test in tests.log says if it works.
if [ "$accelerator" = cuda ] && ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.1[0-2]'; then
  cublas="$(find /usr /opt -name 'libcublas.so.1[3-9]*' 2>/dev/null | sort | head -1)"
  if [ -n "$cublas" ]; then
    mkdir -p /tmp/meprop/lib && ln -sf "$cublas" /tmp/meprop/lib/libcublas.so.12
    export LD_LIBRARY_PATH="/tmp/meprop/lib:$(dirname "$cublas")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "cuBLAS: $cublas, offered as libcublas.so.12"
  else
    echo "cuBLAS: no libcublas.so found under /usr or /opt"
  fi
fi
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; nproc; dotnet --list-runtimes; } > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"

stamp "accelerator tests on $accelerator"
# The runner (xUnit 2.4.1's) targets netcoreapp2.0: it rolls forward to the packed runtime.
MEPROP_TEST_ACCELERATOR=$accelerator DOTNET_ROLL_FORWARD=Major timeout 120 \
  dotnet /tmp/meprop/apps/xunit/xunit.console.dll "$apps/MeProp.Accelerators.Tests.dll" -parallel none -verbose -nocolor \
  > "$out/tests.log" 2>&1
stamp "tests: exit $? ($(grep -c '\[FAIL\]' "$out/tests.log") failed)"; tail -3 "$out/tests.log"

stamp "Tables 7 and 8 (BenchmarkDotNet)"
(cd /tmp/meprop && timeout 240 dotnet "$apps/MeProp.Benchmarks.dll" --filter '*Device*' --inProcess --job short \
  --artifacts /tmp/meprop/bench > /tmp/meprop/bench.log 2>&1)
stamp "benchmarks: exit $?"
cp /tmp/meprop/bench/results/*DeviceLayerBackward*-github.md "$out/table7.md" 2>/dev/null || tail -40 /tmp/meprop/bench.log
cp /tmp/meprop/bench/results/*DeviceMnistBackward*-github.md "$out/table8.md" 2>/dev/null || true
cat "$out"/table*.md 2>/dev/null

stamp "MNIST, h = 8192, one epoch"
timeout 180 dotnet "$apps/MeProp.Mnist.dll" --accelerator $accelerator --data "$pack/mnist" "${mnist_size[@]}" --epochs 1 \
  --compare --mode unified --k 8 --report "$out/mnist.json" > "$out/mnist.log" 2>&1
stamp "mnist: exit $?"; tail -15 "$out/mnist.log"
