// Runs a float16 ONNX model on onnxruntime-node (CPU) with one float16
// .npy input and writes its first output as a float16 .npy: the reference
// half_model_check.sh compares the device's float16 run with.
//
//   node ort_half.mjs ORT_MODULE_DIR MODEL.onnx INPUT_NAME IN.npy OUT.npy
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [ortDir, model, inName, inPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node ort_half.mjs ORT_MODULE_DIR MODEL.onnx INPUT_NAME IN.npy OUT.npy');
  process.exit(2);
}
// A relative folder is the caller's (its working directory), not this file's.
const ort = createRequire(import.meta.url)(resolve(ortDir));

function loadHalf(path) {
  const buf = fs.readFileSync(path);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + hlen);
  if (!/'descr':\s*'<f2'/.test(header)) throw new Error(`${path}: not a float16 .npy`);
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const start = buf.byteOffset + 10 + hlen;
  return { data: new Uint16Array(buf.buffer.slice(start, start + 2 * n)), dims };
}

function saveHalf(path, data, dims) {
  let header = `{'descr': '<f2', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const x = loadHalf(inPath);
const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const out = await sess.run({ [inName]: new ort.Tensor('float16', x.data, x.dims) });
const y = out[sess.outputNames[0]];
saveHalf(outPath, y.data, y.dims);
console.log(`ort: ${sess.outputNames[0]} [${y.dims.join(', ')}] float16`);
