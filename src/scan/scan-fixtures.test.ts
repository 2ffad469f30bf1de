import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from './index.js';

const dir = join(import.meta.dirname, '../../test/fixtures/scan');

// [file, format, verdict, rule that must be among the findings (or undefined for none)]
const cases: [string, string, string, string | undefined][] = [
  ['pickle-benign-p0.pkl', 'pickle', 'safe', undefined],
  ['pickle-benign-p2.pkl', 'pickle', 'safe', undefined],
  ['pickle-benign-p4.pkl', 'pickle', 'safe', undefined],
  ['pickle-benign-p5.pkl', 'pickle', 'safe', undefined],
  ['pickle-os-system-p0.pkl', 'pickle', 'malicious', 'pickle.call.denied'],
  ['pickle-posix-system-p2.pkl', 'pickle', 'malicious', 'pickle.global.denied'],
  ['pickle-stack-global-memo-p4.pkl', 'pickle', 'malicious', 'pickle.call.denied'],
  ['pickle-stack-global-dynamic-p4.pkl', 'pickle', 'malicious', 'pickle.stack-global.dynamic'],
  ['pickle-getattr-chain-p0.pkl', 'pickle', 'malicious', 'pickle.call.computed'],
  ['pickle-attribute-chain-p4.pkl', 'pickle', 'malicious', 'pickle.global.attribute-chain'],
  ['pickle-build-on-global-p2.pkl', 'pickle', 'malicious', 'pickle.build.on-global'],
  ['pickle-nested-bytes-p3.pkl', 'pickle', 'malicious', 'pickle.call.denied'],
  ['pickle-numpy-runstring-p2.pkl', 'pickle', 'malicious', 'pickle.global.denied'],
  ['pickle-inst-p0.pkl', 'pickle', 'malicious', 'pickle.call.denied'],
  ['pickle-obj-p1.pkl', 'pickle', 'malicious', 'pickle.call.denied'],
  ['pickle-ext-p2.pkl', 'pickle', 'malicious', 'pickle.extension'],
  ['pickle-unknown-class-p2.pkl', 'pickle', 'suspicious', 'pickle.global.not-allowed'],
  ['pickle-truncated-p2.pkl', 'pickle', 'error', 'scan.format-invalid'],
  ['pickle-bad-opcode.pkl', 'pickle', 'error', 'scan.format-invalid'],
  ['torch-zip-benign.pt', 'pytorch-zip', 'safe', undefined],
  ['torch-state-dict-benign.pth', 'pytorch-zip', 'safe', undefined],
  ['torch-zip-malicious.pt', 'pytorch-zip', 'malicious', 'pickle.call.denied'],
  ['torch-zip-nested-archive.pt', 'pytorch-zip', 'malicious', 'pickle.call.denied'],
  ['torch-zip-truncated.pt', 'zip', 'error', 'scan.format-invalid'],
  ['torch-jit-scripted.pt', 'pytorch-zip', 'safe', 'pytorch.torchscript'],
  ['torch-full-module.pt', 'pytorch-zip', 'suspicious', 'pickle.global.not-allowed'],
  ['torchscript-benign.pt', 'pytorch-zip', 'safe', 'pytorch.torchscript'],
  ['torchscript-file-ops.pt', 'pytorch-zip', 'malicious', 'torchscript.dangerous-op'],
  ['torchscript-edited-python.pt', 'pytorch-zip', 'malicious', 'torchscript.python-code'],
  ['torchscript-custom-op.pt', 'pytorch-zip', 'suspicious', 'torchscript.custom-op'],
  ['torchscript-evil-constants.pt', 'pytorch-zip', 'malicious', 'pickle.call.denied'],
  ['sklearn-gb-gzip.joblib', 'joblib', 'safe', undefined],
  ['sklearn-pipeline.joblib', 'joblib', 'safe', undefined],
  ['sklearn-estimators-p5.pkl', 'pickle', 'safe', undefined],
  ['sklearn-export-graphviz.pkl', 'pickle', 'malicious', 'pickle.global.denied'],
  ['sklearn-reexported-attrgetter.pkl', 'pickle', 'malicious', 'pickle.global.dangerous-name'],
  ['torch-legacy-benign.pt', 'pytorch-legacy', 'safe', undefined],
  ['torch-legacy-malicious.pt', 'pytorch-legacy', 'malicious', 'pickle.call.denied'],
  ['torch-tar-benign.tar', 'pytorch-tar', 'safe', undefined],
  ['torch-tar-malicious.tar', 'pytorch-tar', 'malicious', 'pickle.call.denied'],
  ['numpy-benign.npy', 'numpy', 'safe', undefined],
  ['numpy-object-benign.npy', 'numpy', 'safe', undefined],
  ['numpy-object-malicious.npy', 'numpy', 'malicious', 'pickle.call.denied'],
  ['numpy-lying-header.npy', 'numpy', 'error', 'scan.format-invalid'],
  ['npz-benign.npz', 'npz', 'safe', undefined],
  ['npz-malicious.npz', 'npz', 'malicious', 'pickle.call.denied'],
  ['sklearn-logreg.joblib', 'joblib', 'safe', undefined],
  ['sklearn-logreg-compressed.joblib', 'joblib', 'safe', undefined],
  ['joblib-malicious.joblib', 'joblib', 'malicious', 'pickle.call.denied'],
  ['keras-benign.h5', 'keras-h5', 'safe', undefined],
  ['keras-weights-only.h5', 'keras-h5', 'safe', 'keras.no-config'],
  ['keras-lambda.h5', 'keras-h5', 'malicious', 'keras.lambda-layer'],
  ['keras-lambda-obfuscated.h5', 'keras-h5', 'malicious', 'keras.lambda-layer'],
  ['keras3-benign.keras', 'keras-zip', 'safe', undefined],
  ['keras-polyglot.keras', 'keras-h5', 'malicious', 'format.polyglot'],
  ['keras3-lambda.keras', 'keras-zip', 'malicious', 'keras.lambda-layer'],
  ['keras3-custom-object.keras', 'keras-zip', 'suspicious', 'keras.custom-object'],
  ['keras3-function-os-system.keras', 'keras-zip', 'malicious', 'keras.dangerous-function'],
  ['keras3-function-get-file.keras', 'keras-zip', 'malicious', 'keras.dangerous-function'],
  ['tf-savedmodel-benign/saved_model.pb', 'tf-savedmodel', 'safe', undefined],
  ['tf-savedmodel-malicious/saved_model.pb', 'tf-savedmodel', 'malicious', 'tf.op.dangerous'],
  ['onnx-benign.onnx', 'onnx', 'safe', undefined],
  ['onnx-external-absolute.onnx', 'onnx', 'malicious', 'onnx.external-data-escape'],
  ['onnx-external-traversal.onnx', 'onnx', 'malicious', 'onnx.external-data-escape'],
  ['onnx-custom-domain.onnx', 'onnx', 'suspicious', 'onnx.custom-domain'],
  ['onnx-local-function.onnx', 'onnx', 'safe', undefined],
  ['onnx-local-domain-custom-op.onnx', 'onnx', 'suspicious', 'onnx.custom-domain'],
  ['safetensors-benign.safetensors', 'safetensors', 'safe', undefined],
  ['safetensors-out-of-file.safetensors', 'safetensors', 'error', 'scan.format-invalid'],
  ['safetensors-overlap.safetensors', 'safetensors', 'error', 'scan.format-invalid'],
  ['safetensors-lying-length.safetensors', 'safetensors', 'error', 'scan.format-invalid'],
  ['safetensors-bad-metadata.safetensors', 'safetensors', 'error', 'scan.format-invalid'],
  ['safetensors-hidden-gap.safetensors', 'safetensors', 'suspicious', 'safetensors.gap'],
  [
    'safetensors-duplicate-key.safetensors',
    'safetensors',
    'suspicious',
    'safetensors.duplicate-key',
  ],
  ['gguf-benign.gguf', 'gguf', 'safe', undefined],
  ['gguf-template-ssti.gguf', 'gguf', 'malicious', 'template.dunder-access'],
  ['gguf-truncated.gguf', 'gguf', 'error', 'scan.format-invalid'],
  ['zip-bomb-ratio.zip', 'zip', 'error', 'scan.limit-exceeded'],
  ['zip-overlap.zip', 'zip', 'malicious', 'archive.overlap'],
  ['unknown-random.bin', 'unknown', 'suspicious', 'format.unknown'],
];

describe('scan() on the committed fixtures', () => {
  it.each(cases)('reports %s as %s / %s with rule %s', async (file, format, verdict, rule) => {
    const result = await scan(join(dir, file));
    expect({ format: result.format, verdict: result.verdict }).toEqual({ format, verdict });
    const rules = result.findings.map((f) => f.rule);
    if (rule === undefined)
      expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    else expect(rules).toContain(rule);
  });

  it('names the dangerous callable, its argument and the opcode offset', async () => {
    const result = await scan(join(dir, 'pickle-os-system-p0.pkl'));
    const call = result.findings.find((f) => f.rule === 'pickle.call.denied');
    expect(call?.message).toContain('os.system("echo pwned")');
    expect(call?.location.offset).toBe(27);
  });

  it('locates a payload inside a nested archive by its member path', async () => {
    const result = await scan(join(dir, 'torch-zip-nested-archive.pt'));
    const members = result.findings.map((f) => f.location.member);
    expect(members).toContain('archive/extra/inner.zip!/inner/data.pkl');
  });

  it('names the TorchScript file, line and call', async () => {
    const result = await scan(join(dir, 'torchscript-edited-python.pt'));
    const hit = result.findings.find((f) => f.location.op === 'os.system');
    expect(hit?.location.member).toBe('archive/code/__torch__.py');
    expect(hit?.message).toMatch(/^line \d+: names the Python callable os\.system/);
  });

  it('names the Keras layer whose config holds a dangerous function', async () => {
    const result = await scan(join(dir, 'keras3-function-os-system.keras'));
    const hit = result.findings.find((f) => f.rule === 'keras.dangerous-function');
    expect(hit?.location.layer).toBe('dense');
    expect(hit?.message).toContain('os.system');
  });

  it('names a safetensors key that appears twice', async () => {
    const result = await scan(join(dir, 'safetensors-duplicate-key.safetensors'));
    const dup = result.findings.find((f) => f.rule === 'safetensors.duplicate-key');
    expect(dup?.message).toContain('key "w" appears more than once in the header');
  });

  it('names the Keras layer and the TensorFlow op', async () => {
    const keras = await scan(join(dir, 'keras-lambda.h5'));
    expect(keras.findings[0]?.location.layer).toBe('lambda_exec');
    const tf = await scan(join(dir, 'tf-savedmodel-malicious/saved_model.pb'));
    expect(tf.findings.map((f) => f.location.op).sort()).toEqual(['PyFunc', 'ReadFile']);
  });

  it('scans bytes as well as paths', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(dir, 'pickle-posix-system-p2.pkl'));
    const result = await scan(new Uint8Array(bytes), { name: 'upload.pkl' });
    expect(result).toMatchObject({ path: 'upload.pkl', verdict: 'malicious', bytes: bytes.length });
  });
});
