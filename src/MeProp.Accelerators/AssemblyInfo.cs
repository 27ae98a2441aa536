using System.Runtime.CompilerServices;

// ILGPU compiles kernels into a dynamic assembly of that name; it must see the internal argument
// structs the kernels take (DeviceGemm.Shape), which are not part of this library's API.
[assembly: InternalsVisibleTo("ILGPURuntime")]
