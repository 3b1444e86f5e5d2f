// nn_impl's own float32 kernels (the matrix product, Adam's update) in WebAssembly SIMD (web/wasm/kernels.wat, built to kernels.wasm), linked
// to Pyodide's memory so that it reads and writes NumPy's arrays where they lie.
//
// Pyodide does not expose its WebAssembly.Memory; its dynamic linker (Emscripten's loadWebAssemblyModule, what
// ctypes.CDLL runs underneath) instantiates a module against it, given the "dylink.0" section the build adds.
// Calling the export from Python through a JsProxy costs about 1 µs, a tenth of a ctypes call.
// Shared by the worker (web/worker.js), the in-Pyodide tests and the kernel benchmark.

/**
 * Fetch kernels.wasm from `url`, link it into `pyodide` and make it nn_impl's kernel (nn_impl.matmul.use_simd,
 * which first checks it on a product of known result). Resolves to the kernel's description for people; rejects
 * when the file is missing or damaged, the browser lacks WebAssembly SIMD, or the check fails (the kernel in use
 * is then unchanged).
 */
export async function useSimdKernel(pyodide, url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return useSimdKernelBytes(pyodide, bytes);
}

/** The same from the module's bytes (the tests under Node read the file). */
export async function useSimdKernelBytes(pyodide, bytes) {
  const exports = await pyodide._module.loadWebAssemblyModule(bytes, { loadAsync: true, nodelete: true },
    "nn_impl-kernels.wasm", {});
  const matmul = pyodide.pyimport("nn_impl.matmul");
  try {
    matmul.use_simd(exports);
    return matmul.describe_kernel();
  } finally {
    matmul.destroy();
  }
}
