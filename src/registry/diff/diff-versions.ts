import { extname, join } from 'node:path';
import { fileSource } from '../../scan/index.js';
import type { ArtifactFile } from '../types.js';
import {
  diffTensorSets,
  TENSOR_CHANGES,
  type TensorChange,
  type TensorDiff,
} from './diff-tensors.js';
import { readOnnxStructure, type GraphNode, type ModelStructure } from './read-onnx.js';
import { readSafetensorsStructure } from './read-safetensors.js';

export interface GraphDiff {
  readonly addedNodes: readonly string[];
  readonly removedNodes: readonly string[];
  /** Same node key, other operator or wiring. */
  readonly rewiredNodes: readonly string[];
  /** Operators whose count differs: op → [before, after]. */
  readonly operatorCounts: Readonly<Record<string, readonly [number, number]>>;
}

export interface ModelFileDiff {
  readonly before: string;
  readonly after: string;
  readonly format: 'onnx' | 'safetensors';
  readonly tensors: readonly TensorDiff[];
  readonly graph?: GraphDiff;
  readonly counts: Readonly<Record<TensorChange, number>>;
}

export interface FileChange {
  readonly path: string;
  readonly change: 'same' | 'changed' | 'added' | 'removed';
  readonly digestBefore?: string;
  readonly digestAfter?: string;
}

export interface VersionDiff {
  readonly files: readonly FileChange[];
  readonly models: readonly ModelFileDiff[];
}

/** One side of the comparison: a version's artifact root (folder or single file) and files. */
export interface VersionArtifacts {
  readonly location: string;
  readonly files: readonly ArtifactFile[];
}

const MODEL_FORMATS: Record<string, 'onnx' | 'safetensors'> = {
  '.onnx': 'onnx',
  '.safetensors': 'safetensors',
};

const pathOf = (v: VersionArtifacts, file: string) =>
  file === '.' ? v.location : join(v.location, file);
const formatOf = (file: string, location: string) =>
  MODEL_FORMATS[extname(file === '.' ? location : file).toLowerCase()];

/** A model file's structure; its tensor payloads are read from the open file until close(). */
function openStructure(
  path: string,
  format: 'onnx' | 'safetensors',
): { structure: ModelStructure; close(): void } {
  const src = fileSource(path);
  try {
    const structure =
      format === 'onnx' ? readOnnxStructure(src) : readSafetensorsStructure(src, path);
    return { structure, close: () => src.close() };
  } catch (e) {
    src.close();
    throw e;
  }
}

export function diffGraphs(before: readonly GraphNode[], after: readonly GraphNode[]): GraphDiff {
  const old = new Map(before.map((n) => [n.key, n]));
  const now = new Map(after.map((n) => [n.key, n]));
  const wiring = (n: GraphNode) => `${n.op}(${n.inputs.join(',')})->${n.outputs.join(',')}`;
  const counts: Record<string, [number, number]> = {};
  for (const n of before) (counts[n.op] ??= [0, 0])[0] += 1;
  for (const n of after) (counts[n.op] ??= [0, 0])[1] += 1;
  return {
    addedNodes: after.filter((n) => !old.has(n.key)).map((n) => n.key),
    removedNodes: before.filter((n) => !now.has(n.key)).map((n) => n.key),
    rewiredNodes: after
      .filter((n) => old.has(n.key) && wiring(old.get(n.key)!) !== wiring(n))
      .map((n) => n.key),
    operatorCounts: Object.fromEntries(Object.entries(counts).filter(([, [a, b]]) => a !== b)),
  };
}

export function diffModelFiles(
  beforePath: string,
  afterPath: string,
  format: 'onnx' | 'safetensors',
): ModelFileDiff {
  const a = openStructure(beforePath, format);
  try {
    const b = openStructure(afterPath, format);
    try {
      const tensors = diffTensorSets(a.structure.tensors, b.structure.tensors);
      const counts = Object.fromEntries(
        TENSOR_CHANGES.map((c) => [c, tensors.filter((t) => t.change === c).length]),
      ) as Record<TensorChange, number>;
      return {
        before: beforePath,
        after: afterPath,
        format,
        tensors,
        ...(format === 'onnx' ? { graph: diffGraphs(a.structure.nodes, b.structure.nodes) } : {}),
        counts,
      };
    } finally {
      b.close();
    }
  } finally {
    a.close();
  }
}

/**
 * Files by path and digest, then tensors and operators of every model file that changed.
 * A version holding one model file under another name is paired with the other's one.
 */
export function diffVersionArtifacts(
  before: VersionArtifacts,
  after: VersionArtifacts,
): VersionDiff {
  const old = new Map(before.files.map((f) => [f.path, f]));
  const now = new Map(after.files.map((f) => [f.path, f]));
  const files: FileChange[] = [];
  const pairs: [string, string, 'onnx' | 'safetensors'][] = [];
  for (const f of after.files) {
    const prior = old.get(f.path);
    if (!prior) files.push({ path: f.path, change: 'added', digestAfter: f.digest });
    else if (prior.digest === f.digest)
      files.push({
        path: f.path,
        change: 'same',
        digestBefore: prior.digest,
        digestAfter: f.digest,
      });
    else {
      files.push({
        path: f.path,
        change: 'changed',
        digestBefore: prior.digest,
        digestAfter: f.digest,
      });
      const format = formatOf(f.path, after.location);
      if (format) pairs.push([pathOf(before, f.path), pathOf(after, f.path), format]);
    }
  }
  for (const f of before.files)
    if (!now.has(f.path)) files.push({ path: f.path, change: 'removed', digestBefore: f.digest });
  if (pairs.length === 0) {
    const lone = (v: VersionArtifacts) => {
      const models = v.files.filter((f) => formatOf(f.path, v.location));
      return models.length === 1 ? models[0]! : undefined;
    };
    const [x, y] = [lone(before), lone(after)];
    const format = x && y ? formatOf(y.path, after.location) : undefined;
    if (x && y && x.digest !== y.digest && format && formatOf(x.path, before.location) === format)
      pairs.push([pathOf(before, x.path), pathOf(after, y.path), format]);
  }
  return { files, models: pairs.map(([a, b, format]) => diffModelFiles(a, b, format)) };
}
