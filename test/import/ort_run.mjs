// Runs a model with ONNX Runtime (onnxruntime-node, CPU, one thread) and
// writes its outputs as .npy files, like edgec's runner:
//   node ort_run.mjs NODE_MODULES MODEL.onnx OUT_DIR [--level=L] INPUT_0.npy [...]
// NODE_MODULES is the folder holding onnxruntime-node (benchmarks/
// installs it: `npm install` there). L is the graph optimization level
// (default 'all', which fuses QDQ groups into ONNX Runtime's integer
// kernels; 'basic' keeps DequantizeLinear -> MatMul in float).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [modules, model, outDir, ...rest] = process.argv.slice(2);
const level = rest.length && rest[0].startsWith('--level=')
  ? rest.shift().slice('--level='.length) : 'all';
const inputPaths = rest;
const ort = createRequire(join(modules, 'noop.js'))('onnxruntime-node');

const kTypes = {
  '<f4': ['float32', Float32Array], '<i4': ['int32', Int32Array],
  '<i8': ['int64', BigInt64Array], '<i2': ['int16', Int16Array],
  '<u2': ['uint16', Uint16Array], '|i1': ['int8', Int8Array],
  '|u1': ['uint8', Uint8Array],
};
const kDescr = Object.fromEntries(
  Object.entries(kTypes).map(([descr, [type]]) => [type, descr]));

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

function writeNpy(path, tensor) {
  const shape = tensor.dims.length === 1 ? `${tensor.dims[0]},`
    : tensor.dims.join(', ');
  let header = `{'descr': '${kDescr[tensor.type]}', 'fortran_order': False, ` +
    `'shape': (${shape}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset,
    tensor.data.byteLength);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}

const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: level,
});
const feeds = {};
session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputPaths[i]); });
const results = await session.run(feeds);
mkdirSync(outDir, { recursive: true });
session.outputNames.forEach((name, i) => {
  writeNpy(join(outDir, `output_${i}.npy`), results[name]);
});
