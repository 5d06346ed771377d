// Character accuracy of PaddleOCR recognizers on onnxruntime-node (CPU, one
// thread) over the rendered lines of make-accuracy-set.py: each line's
// recognizer input (ocr/rec/NNN/x.npy) is run, greedy CTC decoded with the
// key file as ares-ocr decodes (0 blank, 1..N the keys, N+1 a space), and
// compared with the text rendered. Accuracy = 1 - edit distance / length,
// summed over all lines. Prints one line per model:
//   accuracy MODEL CHARS_RIGHT/CHARS PERCENT
// and each line read that differs from the text.
//
//   node ocr_accuracy.mjs ORT_MODULE_DIR KEYS.txt SETDIR/ocr MODEL.onnx...
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { loadNpy } from '../../../tests/models/npy.mjs';

const [ortDir, keysPath, setDir, ...models] = process.argv.slice(2);
if (!models.length) {
  console.error('usage: node ocr_accuracy.mjs ORT_MODULE_DIR KEYS.txt SETDIR/ocr MODEL.onnx...');
  process.exit(2);
}
// A relative folder is the caller's (its working directory), not this file's.
const ort = createRequire(import.meta.url)(resolve(ortDir));
const keys = fs.readFileSync(keysPath, 'utf8').split('\n');
if (keys[keys.length - 1] === '') keys.pop();
const lines = fs.readFileSync(path.join(setDir, 'lines.tsv'), 'utf8').trim().split('\n')
  .map((l) => l.split('\t')).map(([name, font, size, text]) => ({ name, font, size, text }));

function decode(y) {
  const [, steps, classes] = y.dims;
  let out = '';
  let prev = 0;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (y.data[t * classes + c] > y.data[t * classes + best]) best = c;
    if (best && best !== prev) out += best <= keys.length ? keys[best - 1] : ' ';
    prev = best;
  }
  return out;
}

function editDistance(a, b) {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return d[b.length];
}

for (const model of models) {
  const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  let total = 0;
  let errors = 0;
  for (const l of lines) {
    const x = loadNpy(path.join(setDir, 'rec', l.name, 'x.npy'));
    const out = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims) });
    const read = decode(out[sess.outputNames[0]]);
    total += l.text.length;
    errors += editDistance(read, l.text);
    if (read !== l.text) console.log(`  ${path.basename(model)} ${l.name} (${l.font} ${l.size}): "${read}" for "${l.text}"`);
  }
  console.log(`accuracy ${model} ${total - errors}/${total} ${(100 * (1 - errors / total)).toFixed(2)}`);
}
