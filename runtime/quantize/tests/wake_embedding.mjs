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
//   node wake_embedding.mjs ORT_DIR MODELS_DIR SETDIR/wake heads OUTDIR K
//       writes each clip's head inputs (K consecutive f32 embeddings, every
//       4th position) as OUTDIR/CLIP_P/onnx::Flatten_0.npy
//   node wake_embedding.mjs ORT_DIR MODELS_DIR SETDIR/wake scores F32.onnx INT8.onnx K
//       a head's score per clip (the largest over its positions) with both
//       models: prints "clip WORD f32 int8" per clip, then
//       "scores MAXDIFF DECISIONS_DIFFERENT N" at threshold 0.5
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { loadNpy, saveNpy } from '../../../tests/models/npy.mjs';

const [ortDir, modelsDir, wakeDir, cmd, a, b, c] = process.argv.slice(2);
const K = Number(cmd === 'heads' ? b : c) || 16; // embeddings a head takes
if (!(['windows', 'heads'].includes(cmd) && a) && !(['cosine', 'scores'].includes(cmd) && b)) {
  console.error('usage: node wake_embedding.mjs ORT_DIR MODELS_DIR SETDIR/wake (windows|heads OUTDIR | cosine|scores F32.onnx INT8.onnx)');
  process.exit(2);
}
// A relative folder is the caller's (its working directory), not this file's.
const ort = createRequire(import.meta.url)(resolve(ortDir));
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

// Each clip's head inputs: [1, K, 96] at every 4th position.
const emb = await ort.InferenceSession.create(path.join(modelsDir, 'oww/models/embedding_model.onnx'), opts);
async function headInputs(clip) {
  const ws = await windows(clip);
  const e = [];
  for (const w of ws) {
    const x = new ort.Tensor('float32', w, [1, 76, 32, 1]);
    e.push((await emb.run({ [emb.inputNames[0]]: x }))[emb.outputNames[0]].data);
  }
  const out = [];
  for (let p = 0; p + K <= e.length; p += 4) {
    const h = new Float32Array(K * 96);
    for (let k = 0; k < K; k++) h.set(e[p + k], k * 96);
    out.push(h);
  }
  return out;
}

if (cmd === 'heads') {
  for (const clip of clips) {
    const hs = await headInputs(clip);
    for (let p = 0; p < hs.length; p++) {
      const dir = path.join(a, `${path.basename(clip, '.npy')}_${String(p).padStart(2, '0')}`);
      fs.mkdirSync(dir, { recursive: true });
      saveNpy(path.join(dir, 'onnx::Flatten_0.npy'), 'float32', hs[p], [1, K, 96]);
    }
  }
} else if (cmd === 'scores') {
  const f = await ort.InferenceSession.create(a, opts);
  const q = await ort.InferenceSession.create(b, opts);
  const words = Object.fromEntries(fs.readFileSync(path.join(wakeDir, 'clips.tsv'), 'utf8').trim().split('\n')
    .map((l) => l.split('\t')).map(([n, w]) => [n, w]));
  let maxDiff = 0;
  let flips = 0;
  for (const clip of clips) {
    let sf = 0;
    let sq = 0;
    for (const h of await headInputs(clip)) {
      const x = new ort.Tensor('float32', h, [1, K, 96]);
      sf = Math.max(sf, (await f.run({ [f.inputNames[0]]: x }))[f.outputNames[0]].data[0]);
      sq = Math.max(sq, (await q.run({ [q.inputNames[0]]: x }))[q.outputNames[0]].data[0]);
    }
    maxDiff = Math.max(maxDiff, Math.abs(sf - sq));
    if ((sf >= 0.5) !== (sq >= 0.5)) flips++;
    const name = path.basename(clip, '.npy');
    console.log(`clip ${name} ${words[name]} ${sf.toFixed(4)} ${sq.toFixed(4)}`);
  }
  console.log(`scores ${maxDiff.toFixed(4)} ${flips} ${clips.length}`);
} else if (cmd === 'windows') {
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
