// Minimal NumPy .npy (format 1.0, little-endian, C order) reading and
// writing for the dtypes the models use.
import fs from 'node:fs';

const DTYPES = {
  '<f4': [Float32Array, 'float32'],
  '<i8': [BigInt64Array, 'int64'],
  '<i4': [Int32Array, 'int32'],
};

export function loadNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not an .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hoff = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hoff, hoff + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const [Ctor, type] = DTYPES[descr] || [];
  if (!Ctor) throw new Error(`${path}: dtype ${descr} not handled`);
  const n = shape.reduce((a, b) => a * b, 1);
  const start = hoff + hlen;
  const data = new Ctor(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + n * Ctor.BYTES_PER_ELEMENT));
  return { type, data, dims: shape };
}

export function saveNpy(path, type, data, dims) {
  const descr = Object.keys(DTYPES).find((k) => DTYPES[k][1] === type);
  if (!descr) throw new Error(`${path}: type ${type} not handled`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// accel-run names an output file after the output, with '/' made '_'.
export function fileName(name) {
  return name.replace(/\//g, '_') + '.npy';
}
