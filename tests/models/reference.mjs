// Runs every real model on onnxruntime-node (CPU) and writes what it gives
// as the expected outputs the runtime is compared with.
//
//   node reference.mjs CACHE DIR
//
// DIR holds what make-inputs.py wrote. For each model NAME this writes
// DIR/NAME/in/<input>.npy (the inputs not made by make-inputs.py) and
// DIR/NAME/expected/<output>.npy, and prints one line per model. The
// wake-word chain is run the way openWakeWord runs it: melspectrogram on
// the audio, frames scaled by x/10 + 2, windows of 76 frames every 8
// frames through the embedding model, and the last K embeddings are a
// head's [1, K, 96] input.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadNpy, saveNpy, fileName } from './npy.mjs';

const [cache, dir] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!cache || !dir) {
  console.error('usage: node reference.mjs CACHE DIR');
  process.exit(2);
}
const ort = createRequire(import.meta.url)(path.join(cache, 'ort/node_modules/onnxruntime-node'));

export const MODELS = {
  det: 'ocr/assets/ch_PP-OCRv4_det_infer.onnx',
  rec: 'ocr/assets/ch_PP-OCRv4_rec_infer.onnx',
  cls: 'ocr/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
  melspectrogram: 'oww/models/melspectrogram.onnx',
  embedding: 'oww/models/embedding_model.onnx',
  alexa: 'oww/models/alexa_v0.1.onnx',
  hey_jarvis: 'oww/models/hey_jarvis_v0.1.onnx',
  hey_mycroft: 'oww/models/hey_mycroft_v0.1.onnx',
  hey_rhasspy: 'oww/models/hey_rhasspy_v0.1.onnx',
  timer: 'oww/models/timer_v0.1.onnx',
  weather: 'oww/models/weather_v0.1.onnx',
  silero_vad: 'oww/models/silero_vad.onnx',
};
// A head's input is [1, K, 96]; K is fixed by its Flatten+Gemm.
const HEAD_WINDOW = { alexa: 16, hey_jarvis: 16, hey_mycroft: 16, hey_rhasspy: 16, timer: 34, weather: 22 };

// One thread: the figures are reproducible run to run, and the bench
// measures threads separately.
const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
const sessions = {};
async function session(name) {
  sessions[name] ??= await ort.InferenceSession.create(path.join(cache, MODELS[name]), opts);
  return sessions[name];
}

function writeInput(name, input, t) {
  fs.mkdirSync(path.join(dir, name, 'in'), { recursive: true });
  saveNpy(path.join(dir, name, 'in', fileName(input)), t.type, t.data, t.dims);
}

async function run(name) {
  const s = await session(name);
  const feeds = {};
  for (const input of s.inputNames) {
    const t = loadNpy(path.join(dir, name, 'in', fileName(input)));
    feeds[input] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const out = await s.run(feeds);
  fs.mkdirSync(path.join(dir, name, 'expected'), { recursive: true });
  fs.writeFileSync(path.join(dir, name, 'model'), MODELS[name]);
  const summary = [];
  for (const o of s.outputNames) {
    const t = out[o];
    saveNpy(path.join(dir, name, 'expected', fileName(o)), t.type, t.data, t.dims);
    let lo = Infinity, hi = -Infinity;
    for (const v of t.data) {
      lo = Math.min(lo, Number(v));
      hi = Math.max(hi, Number(v));
    }
    summary.push(`${o} [${t.dims}] in [${lo.toPrecision(4)}, ${hi.toPrecision(4)}]`);
  }
  console.log(`reference: ${name}: ${summary.join('; ')}`);
  return out;
}

// Greedy CTC over the recognizer's [1, T, C] output: class 0 is the blank,
// 1..N the key file's lines, N+1 a space.
function ctcDecode(t, keys) {
  const [, T, C] = t.dims;
  let text = '', prev = 0;
  for (let i = 0; i < T; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (t.data[i * C + c] > t.data[i * C + best]) best = c;
    if (best !== 0 && best !== prev) text += best <= keys.length ? keys[best - 1] : ' ';
    prev = best;
  }
  return text;
}

async function wakeWordInputs() {
  const audio = loadNpy(path.join(dir, 'audio.npy'));
  const mel = await session('melspectrogram');
  const m = (await mel.run({ [mel.inputNames[0]]: new ort.Tensor('float32', audio.data, audio.dims) }))[mel.outputNames[0]];
  const frames = m.data.length / 32;
  const scaled = Float32Array.from(m.data, (v) => v / 10 + 2);
  const nwin = Math.max(...Object.values(HEAD_WINDOW));
  if (frames < 76 + 8 * (nwin - 1)) throw new Error(`audio gives ${frames} mel frames, too few`);
  const windows = new Float32Array(nwin * 76 * 32);
  for (let w = 0; w < nwin; w++) windows.set(scaled.subarray(w * 8 * 32, (w * 8 + 76) * 32), w * 76 * 32);
  writeInput('embedding', 'input_1', { type: 'float32', data: windows.slice(0, 76 * 32), dims: [1, 76, 32, 1] });
  const emb = await session('embedding');
  const e = (await emb.run({ [emb.inputNames[0]]: new ort.Tensor('float32', windows, [nwin, 76, 32, 1]) }))[emb.outputNames[0]];
  for (const [head, k] of Object.entries(HEAD_WINDOW)) {
    const s = await session(head);
    writeInput(head, s.inputNames[0], { type: 'float32', data: e.data.slice((nwin - k) * 96), dims: [1, k, 96] });
  }
}

await wakeWordInputs();
for (const name of Object.keys(MODELS)) {
  const out = await run(name);
  if (name === 'rec') {
    const keys = fs.readFileSync(path.join(cache, 'ocr/assets/ppocr_keys_v1.txt'), 'utf8').split('\n');
    if (keys[keys.length - 1] === '') keys.pop();
    const s = await session('rec');
    console.log(`reference: rec reads "${ctcDecode(out[s.outputNames[0]], keys)}"`);
  }
}
