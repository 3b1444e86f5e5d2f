// Assemble one WebAssembly text file with the pinned wabt (package-lock.json), SIMD enabled, and write the binary.
//
//   node buildtools/wat2wasm.mjs SOURCE.wat OUT.wasm
//
// Called by buildtools/wasm_kernels.py, which then adds what Pyodide's loader needs in front.
import fs from "node:fs";
import path from "node:path";
import wabtModule from "wabt"; // resolved from the repository's node_modules

const wabt = await wabtModule();
const [source, out] = process.argv.slice(2);
const module = wabt.parseWat(path.basename(source), fs.readFileSync(source, "utf8"), { simd: true });
try {
  module.resolveNames();
  module.validate();
  fs.writeFileSync(out, module.toBinary({ log: false, write_debug_names: false }).buffer);
} finally {
  module.destroy();
}
