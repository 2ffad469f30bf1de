// The only file in aisoc that imports onnxruntime-node (STYLE.md: one file per driver).
import { readFile } from 'node:fs/promises';
import type * as Ort from 'onnxruntime-node';
import { isAppError, sha256Hex } from '../core/index.js';
import { serveError } from './errors.js';
import { packRows } from './validate-rows.js';

/** A classifier loaded from an ONNX file: float32 `[N, F]` in, class probabilities out. */
export interface OnnxModel {
  /** SHA-256 of the file bytes, lowercase hex. */
  readonly digest: string;
  readonly inputName: string;
  readonly featureCount: number;
  readonly classCount: number;
  infer(rows: number[][]): Promise<{ probabilities: number[][]; labels: number[] }>;
  close(): Promise<void>;
}

export interface LoadOnnxModelOptions {
  /** Refuse the file unless its SHA-256 is this (hex, optionally prefixed `sha256:`). */
  expectedDigest?: string;
  /** Intra-op threads per session; 1 suits small models under concurrent load. */
  threads?: number;
}

interface Signature {
  inputName: string;
  featureCount: number;
  probabilitiesName: string;
  classCount: number;
  labelName: string | undefined;
}

function fixedDim(
  shape: readonly (number | string)[] | undefined,
  index: number,
): number | undefined {
  const d = shape?.[index];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/**
 * Reads what the model promises: one float32 input [N, F]; a float32 [N, C] output (named
 * `probabilities`, else the first such output); optionally an int64 `label` output.
 */
function readSignature(session: Ort.InferenceSession, path: string): Signature {
  const inputs = session.inputMetadata;
  const input = inputs[0];
  if (inputs.length !== 1 || !input?.isTensor || input.type !== 'float32') {
    throw serveError('SERVE_MODEL_INVALID', `${path}: expected exactly one float32 tensor input`);
  }
  const featureCount = fixedDim(input.shape, 1);
  if (input.shape.length !== 2 || featureCount === undefined) {
    throw serveError(
      'SERVE_MODEL_INVALID',
      `${path}: input "${input.name}" must have shape [N, F] with a fixed F`,
    );
  }
  const floats = session.outputMetadata.filter(
    (o) =>
      o.isTensor &&
      o.type === 'float32' &&
      o.shape.length === 2 &&
      fixedDim(o.shape, 1) !== undefined,
  );
  const probabilities = floats.find((o) => o.name === 'probabilities') ?? floats[0];
  if (!probabilities?.isTensor) {
    throw serveError(
      'SERVE_MODEL_INVALID',
      `${path}: no float32 [N, C] output for class probabilities`,
    );
  }
  const label = session.outputMetadata.find(
    (o) => o.name === 'label' && o.isTensor && o.type === 'int64',
  );
  return {
    inputName: input.name,
    featureCount,
    probabilitiesName: probabilities.name,
    classCount: fixedDim(probabilities.shape, 1) as number,
    labelName: label?.name,
  };
}

function normaliseDigest(digest: string): string {
  return digest.toLowerCase().replace(/^sha256:/, '');
}

async function readModelFile(path: string, expectedDigest: string | undefined) {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw serveError(
      'SERVE_MODEL_UNREADABLE',
      `cannot read model file ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const digest = sha256Hex(bytes);
  if (expectedDigest !== undefined && normaliseDigest(expectedDigest) !== digest) {
    throw serveError(
      'SERVE_DIGEST_MISMATCH',
      `${path} has SHA-256 ${digest}, expected ${normaliseDigest(expectedDigest)}; refusing to load it`,
      { details: { path, expected: normaliseDigest(expectedDigest), actual: digest } },
    );
  }
  return { bytes, digest };
}

/**
 * Loads an ONNX classifier, checking its SHA-256 first when `expectedDigest` is given (the
 * bytes that are hashed are the bytes that are loaded, so there is no check-then-use race).
 * @example const model = await loadOnnxModel('models/digits/model.onnx', { expectedDigest });
 */
export async function loadOnnxModel(
  path: string,
  options: LoadOnnxModelOptions = {},
): Promise<OnnxModel> {
  const { bytes, digest } = await readModelFile(path, options.expectedDigest);
  // Imported on first load, not with the module: the runtime is a large native addon, which
  // `aisoc scan` or `aisoc verify` must not pay for at start (test/e2e/cli-start.test.ts).
  const ort = await import('onnxruntime-node');
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (cause) {
    throw serveError(
      'SERVE_MODEL_INVALID',
      `${path} is not a loadable ONNX model: ${(cause as Error).message}`,
      { cause },
    );
  }
  try {
    return createOnnxModel(ort, session, readSignature(session, path), digest);
  } catch (error) {
    await session.release();
    throw error;
  }
}

function createOnnxModel(
  ort: typeof Ort,
  session: Ort.InferenceSession,
  sig: Signature,
  digest: string,
): OnnxModel {
  let closed = false;
  const fetches =
    sig.labelName === undefined ? [sig.probabilitiesName] : [sig.probabilitiesName, sig.labelName];
  return {
    digest,
    inputName: sig.inputName,
    featureCount: sig.featureCount,
    classCount: sig.classCount,
    async infer(rows) {
      if (closed) throw serveError('SERVE_MODEL_CLOSED', 'the model has been closed');
      const data = packRows(rows, sig.featureCount);
      const feeds = {
        [sig.inputName]: new ort.Tensor('float32', data, [rows.length, sig.featureCount]),
      };
      let out: Ort.InferenceSession.ReturnType;
      try {
        out = await session.run(feeds, fetches);
      } catch (cause) {
        if (isAppError(cause)) throw cause;
        throw serveError(
          'SERVE_INFERENCE_FAILED',
          `inference failed: ${(cause as Error).message}`,
          { cause },
        );
      }
      return unpack(out, sig, rows.length);
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

function unpack(out: Ort.InferenceSession.ReturnType, sig: Signature, n: number) {
  const probs = out[sig.probabilitiesName]?.data as Float32Array;
  const probabilities: number[][] = [];
  for (let r = 0; r < n; r += 1) {
    probabilities.push(Array.from(probs.subarray(r * sig.classCount, (r + 1) * sig.classCount)));
  }
  const labelData =
    sig.labelName === undefined ? undefined : (out[sig.labelName]?.data as BigInt64Array);
  const labels = labelData ? Array.from(labelData, Number) : probabilities.map(argmax);
  return { probabilities, labels };
}

function argmax(values: number[]): number {
  let best = 0;
  for (let j = 1; j < values.length; j += 1)
    if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}
