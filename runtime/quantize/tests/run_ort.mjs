// Runs MODEL on onnxruntime-node (CPU, one thread) with one float32 .npy
// input and writes its first output as .npy: the reference for the
// quantized model, since ORT runs the same QDQ file.
//
//   node run_ort.mjs ORT_MODULE_DIR MODEL.onnx IN.npy OUT.npy
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { loadNpy, saveNpy } from '../../../tests/models/npy.mjs';

const [ortDir, model, inPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node run_ort.mjs ORT_MODULE_DIR MODEL.onnx IN.npy OUT.npy');
  process.exit(2);
}
// A relative folder is the caller's (its working directory), not this file's.
const ort = createRequire(import.meta.url)(resolve(ortDir));
const x = loadNpy(inPath);
const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const out = await sess.run({ [sess.inputNames[0]]: new ort.Tensor(x.type, x.data, x.dims) });
const y = out[sess.outputNames[0]];
saveNpy(outPath, y.type, y.data, y.dims);
