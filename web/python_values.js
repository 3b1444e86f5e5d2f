// Python results made plain JavaScript, for both workers (worker.js, cells_worker.js).
// nn_impl.worker_requests.transferable has replaced every np.ndarray in a result by an
// {__ndarray__, shape, dtype, bytes} marker; toPlain turns each marker into {shape, dtype, data: TypedArray}
// over the copied bytes and lists those buffers in `transfer`, so they are handed to the page, not copied.

const TYPED = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Uint32Array,
  int16: Int16Array, uint16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
};

/** Turn the exported Python value into plain JS; ndarray markers become {shape, dtype, data}. */
export function toPlain(value, transfer) {
  if (value instanceof Map) value = Object.fromEntries(value);
  if (Array.isArray(value)) return value.map((v) => toPlain(v, transfer));
  if (value && typeof value === "object" && !ArrayBuffer.isView(value)) {
    if (value.__ndarray__) {
      const bytes = value.bytes; // a fresh Uint8Array copy made by toJs
      const Typed = TYPED[value.dtype] || Uint8Array;
      const data = new Typed(bytes.buffer, bytes.byteOffset, bytes.byteLength / Typed.BYTES_PER_ELEMENT);
      transfer.push(data.buffer);
      return { shape: value.shape, dtype: value.dtype, data };
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v, transfer);
    return out;
  }
  return value;
}

/** A PyProxy result (or a plain value) -> {result: plain JS, transfer: its buffers}; destroys the proxy. */
export function exportResult(exported) {
  let js = exported;
  if (exported && typeof exported.toJs === "function") {
    js = exported.toJs({ dict_converter: Object.fromEntries });
    exported.destroy();
  }
  const transfer = [];
  return { result: toPlain(js, transfer), transfer };
}

/** The last line of a Python traceback is the message a person can act on. */
export function pythonMessage(err) {
  const text = String((err && err.message) || err);
  if (err && err.type) {
    const lines = text.trim().split("\n");
    return lines[lines.length - 1];
  }
  return text;
}
