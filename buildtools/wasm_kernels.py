"""The page's own WebAssembly kernels (web/wasm/*.wat), assembled by the pinned wabt (standard library only).

Each ``web/wasm/NAME.wat`` becomes ``NAME.wasm`` in the site. The module imports Pyodide's memory ("env"
"memory") and works on NumPy's arrays in place, so the worker hands it to Pyodide's dynamic linker
(``loadWebAssemblyModule``, web/simd_kernel.js), the one part of Pyodide that links a module to that memory.
The linker wants a ``dylink.0`` custom section first in the binary (Emscripten's side-module convention,
https://github.com/WebAssembly/tool-conventions/blob/main/DynamicLinking.md); wabt writes none, so it is
added here: one WASM_DYLINK_MEM_INFO entry saying the module needs no memory and no table of its own.
"""

from .common import NODE_MODULES, ROOT, WORK, BuildError, run, write_if_changed

WASM_SOURCES = ROOT / "web" / "wasm"
WASM_DIR = WORK / "wasm"

_WASM_HEADER = b"\0asm\x01\0\0\0"
_DYLINK_MEM_INFO = 1


def _leb128(value):
    """An unsigned LEB128 number, as WebAssembly writes sizes."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def with_dylink_section(binary):
    """``binary`` (a wasm module) with a ``dylink.0`` section in front: memory size 0 and alignment 2⁰, table
    size 0 and alignment 2⁰ (the module owns no memory or table; it only imports the heap)."""
    if not binary.startswith(_WASM_HEADER):
        raise BuildError("wat2wasm wrote something that is not a WebAssembly module")
    name = b"dylink.0"
    mem_info = bytes([_DYLINK_MEM_INFO]) + _leb128(4) + bytes(4)
    content = _leb128(len(name)) + name + mem_info
    return _WASM_HEADER + b"\0" + _leb128(len(content)) + content + binary[len(_WASM_HEADER):]


def wasm_kernels():
    """{site path: built file} of every web/wasm/*.wat, assembled and given its dylink section."""
    if not (NODE_MODULES / "wabt").is_dir():
        raise BuildError("node_modules/wabt is missing: run `npm ci` (wabt is pinned in package-lock.json)")
    built = {}
    for source in sorted(WASM_SOURCES.glob("*.wat")):
        raw = WASM_DIR / (source.stem + ".raw.wasm")
        raw.parent.mkdir(parents=True, exist_ok=True)
        run(["node", ROOT / "buildtools" / "wat2wasm.mjs", source, raw], f"wat2wasm {source.name}")
        out = WASM_DIR / (source.stem + ".wasm")
        write_if_changed(out, with_dylink_section(raw.read_bytes()))
        built[out.name] = out
    return built
