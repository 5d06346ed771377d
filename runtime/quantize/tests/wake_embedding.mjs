// The wake-word chain's embedding model on real speech, on onnxruntime-node
// (CPU, one thread). openWakeWord's front end: melspectrogram on the clip,
// frames scaled by x/10 + 2, windows of 76 frames every 8 frames.
//
//   node wake_embedding.mjs ORT_DIR MODELS_DIR SETDIR/wake windows OUTDIR
//       writes every 4th window of every clip as OUTDIR/CLIP_W/input_1.npy,
//       the sample folders ares-quantize takes
//   node wake_embedding.mjs ORT_DIR MODELS_DIR SETDIR/wake cosine F32.onnx INT8.onnx
//       prints "cosine MIN MEAN N": the cosine similarity of the two models'
//       embeddings of every window of every clip
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadNpy, saveNpy } from '../../../tests/models/npy.mjs';

const [ortDir, modelsDir, wakeDir, cmd, a, b] = process.argv.slice(2);
if (!(cmd === 'windows' && a) && !(cmd === 'cosine' && b)) {
  console.error('usage: node wake_embedding.mjs ORT_DIR MODELS_DIR SETDIR/wake (windows OUTDIR | cosine F32.onnx INT8.onnx)');
  process.exit(2);
}
const ort = createRequire(import.meta.url)(ortDir);
const opts = { intraOpNumThreads: 1 };
const mel = await ort.InferenceSession.create(path.join(modelsDir, 'oww/models/melspectrogram.onnx'), opts);
const clips = fs.readdirSync(wakeDir).filter((f) => f.endsWith('.npy')).sort();

async function windows(clip) {
  const audio = loadNpy(path.join(wakeDir, clip));
  const m = (await mel.run({ [mel.inputNames[0]]: new ort.Tensor('float32', audio.data, audio.dims) }))[mel.outputNames[0]];
  const frames = m.data.length / 32;
  const scaled = Float32Array.from(m.data, (v) => v / 10 + 2);
  const nwin = Math.floor((frames - 76) / 8) + 1;
  const out = [];
  for (let w = 0; w < nwin; w++) out.push(scaled.slice(w * 8 * 32, (w * 8 + 76) * 32));
  return out;
}

if (cmd === 'windows') {
  for (const clip of clips) {
    const ws = await windows(clip);
    for (let w = 0; w < ws.length; w += 4) {
      const dir = path.join(a, `${path.basename(clip, '.npy')}_${String(w).padStart(2, '0')}`);
      fs.mkdirSync(dir, { recursive: true });
      saveNpy(path.join(dir, 'input_1.npy'), 'float32', ws[w], [1, 76, 32, 1]);
    }
  }
} else {
  const f = await ort.InferenceSession.create(a, opts);
  const q = await ort.InferenceSession.create(b, opts);
  let min = 1;
  let sum = 0;
  let n = 0;
  for (const clip of clips) {
    for (const w of await windows(clip)) {
      const x = new ort.Tensor('float32', w, [1, 76, 32, 1]);
      const yf = (await f.run({ [f.inputNames[0]]: x }))[f.outputNames[0]].data;
      const yq = (await q.run({ [q.inputNames[0]]: x }))[q.outputNames[0]].data;
      let dot = 0;
      let nf = 0;
      let nq = 0;
      for (let i = 0; i < yf.length; i++) {
        dot += yf[i] * yq[i];
        nf += yf[i] * yf[i];
        nq += yq[i] * yq[i];
      }
      const c = dot / Math.sqrt(nf * nq);
      min = Math.min(min, c);
      sum += c;
      n++;
    }
  }
  console.log(`cosine ${min.toFixed(5)} ${(sum / n).toFixed(5)} ${n}`);
}
