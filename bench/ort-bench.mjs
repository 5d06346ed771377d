// onnxruntime-node's side of bench/models-bench.sh: runs each named model
// on the inputs in REF/NAME/in/ with 1 and 2 intra-op threads and prints
// one line per model and thread count:
//   ort NAME threads T: median X ms, p90 Y ms, N runs
//
//   node bench/ort-bench.mjs CACHE REF RUNS NAME...
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadNpy } from '../tests/models/npy.mjs';

const [cache, ref, runsArg, ...names] = process.argv.slice(2);
const ort = createRequire(import.meta.url)(path.resolve(cache, 'ort/node_modules/onnxruntime-node'));
const runs = Number(runsArg);

for (const name of names) {
  const model = path.join(cache, fs.readFileSync(path.join(ref, name, 'model'), 'utf8'));
  for (const threads of [1, 2]) {
    const s = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const feeds = {};
    for (const input of s.inputNames) {
      const t = loadNpy(path.join(ref, name, 'in', input.replace(/\//g, '_') + '.npy'));
      feeds[input] = new ort.Tensor(t.type, t.data, t.dims);
    }
    await s.run(feeds); // warm-up: first-run allocations
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      await s.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const p90 = times[Math.min(runs - 1, Math.floor(runs * 0.9))];
    console.log(`ort ${name} threads ${threads}: median ${times[runs >> 1].toFixed(3)} ms, p90 ${p90.toFixed(3)} ms, ${runs} runs`);
    await s.release();
  }
}
