// Runs a quantized ONNX model on onnxruntime-node (CPU) with one uint8, int8
// or float32 .npy input and writes its first output (the same or int32) as a
// .npy: the reference quant_check.sh compares the CPU path's run with.
//
//   node ort_quant.mjs ORT_MODULE_DIR MODEL.onnx INPUT_NAME IN.npy OUT.npy
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [ortDir, model, inName, inPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node ort_quant.mjs ORT_MODULE_DIR MODEL.onnx INPUT_NAME IN.npy OUT.npy');
  process.exit(2);
}
// A relative folder is the caller's (its working directory), not this file's.
const ort = createRequire(import.meta.url)(resolve(ortDir));

// .npy descr <-> onnxruntime type and typed array.
const types = {
  '|u1': ['uint8', Uint8Array],
  '|i1': ['int8', Int8Array],
  '<i4': ['int32', Int32Array],
  '<f4': ['float32', Float32Array],
};

function load(path) {
  const buf = fs.readFileSync(path);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + hlen);
  const descr = /'descr':\s*'([^']*)'/.exec(header)[1];
  if (!types[descr]) throw new Error(`${path}: dtype ${descr} is not uint8, int8, int32 or float32`);
  const [type, Arr] = types[descr];
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const start = 10 + hlen;
  const bytes = buf.subarray(start, start + n * Arr.BYTES_PER_ELEMENT);
  return { type, data: new Arr(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), dims };
}

function save(path, t) {
  const descr = Object.keys(types).find((d) => types[d][0] === t.type);
  if (!descr) throw new Error(`output type ${t.type} is not uint8, int8, int32 or float32`);
  const dims = t.dims;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const d = t.data;
  fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(d.buffer, d.byteOffset, d.byteLength)]));
}

const x = load(inPath);
const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const out = await sess.run({ [inName]: new ort.Tensor(x.type, x.data, x.dims) });
save(outPath, out[sess.outputNames[0]]);
