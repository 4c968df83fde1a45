// Times ONNX Runtime (CPU, one intra-op thread unless --threads=N) on a
// model:
//   node ort_bench.mjs MODEL.onnx RUNS INPUT_0.npy [INPUT_1.npy ...]
//     [--output-dir=DIR] [--threads=N]
// Prints `median_us=<float>` (and min, mean) like edgec's runner.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const kTypes = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array],
  '|i1': ['int8', Int8Array], '|u1': ['uint8', Uint8Array],
  '|b1': ['bool', Uint8Array],
};

function readNpy(path) {
  const buf = readFileSync(path);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
    .split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const [type, Ctor] = kTypes[descr];
  const data = buf.subarray(start + headerLen);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return new ort.Tensor(type, new Ctor(copy.buffer), shape);
}

// --output-dir=DIR (anywhere after the model): also writes each output as
// DIR/output_<i>.npy, from one run.
const args = process.argv.slice(2);
const outDirArg = args.find((a) => a.startsWith('--output-dir='));
const threadsArg = args.find((a) => a.startsWith('--threads='));
const threads = threadsArg ? Number(threadsArg.slice('--threads='.length)) : 1;
function writeNpy(path, tensor) {
  const descr = Object.keys(kTypes).find((k) => kTypes[k][0] === tensor.type);
  if (!descr) throw new Error(`no .npy type for ${tensor.type}`);
  const shape = tensor.dims.length === 1 ? `${tensor.dims[0]},` : tensor.dims.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}), }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]));
}

const [model, runsText, ...inputPaths] =
  args.filter((a) => a !== outDirArg && a !== threadsArg);
const runs = Number(runsText);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const feeds = {};
session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputPaths[i]); });
if (outDirArg) {
  const dir = outDirArg.slice('--output-dir='.length);
  mkdirSync(dir, { recursive: true });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => writeNpy(`${dir}/output_${i}.npy`, results[name]));
}
if (runs === 0) process.exit(0);
for (let i = 0; i < Math.min(runs, 20); ++i) await session.run(feeds);
const times = [];
for (let i = 0; i < runs; ++i) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - t0) / 1000);
}
times.sort((a, b) => a - b);
const median = runs % 2 ? times[(runs - 1) / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
const mean = times.reduce((a, b) => a + b, 0) / runs;
console.log(`ort: runs=${runs} median_us=${median.toFixed(3)} min_us=${times[0].toFixed(3)} mean_us=${mean.toFixed(3)}`);
