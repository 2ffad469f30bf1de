import type { Severity } from '../core/index.js';
import type { ScanPolicy } from './policy.js';

export const VERDICTS = ['safe', 'suspicious', 'malicious', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const SCAN_FORMATS = [
  'pickle',
  'pytorch-zip',
  'pytorch-legacy',
  'pytorch-tar',
  'numpy',
  'npz',
  'joblib',
  'keras-h5',
  'keras-zip',
  'keras-config',
  'tf-savedmodel',
  'onnx',
  'safetensors',
  'gguf',
  'chat-template',
  'zip',
  'tar',
  'tar.gz',
  'inert',
  'unknown',
] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** Where in the file a finding was made: any of byte offset, archive member, layer, op. */
export interface FindingLocation {
  offset?: number;
  member?: string;
  layer?: string;
  op?: string;
}

export interface Finding {
  severity: Severity;
  /** Stable rule id, e.g. `pickle.global.denied`; listed in docs/scan.md. */
  rule: string;
  message: string;
  location: FindingLocation;
}

export interface ScanResult {
  path: string;
  format: ScanFormat;
  verdict: Verdict;
  findings: Finding[];
  bytes: number;
  durationMs: number;
}

export interface ScanLimits {
  /** Largest pickle, JSON header or archive member decompressed into memory. */
  maxMemberBytes: number;
  /** Largest total of decompressed bytes per top-level file. */
  maxTotalInflatedBytes: number;
  /** Largest uncompressed/compressed ratio accepted for an archive member. */
  maxCompressionRatio: number;
  /** Nesting depth of archives and pickles inside archives or pickles. */
  maxDepth: number;
  /** Pickle opcodes executed (simulated) per file. */
  maxPickleOps: number;
  /** Wall-clock budget per top-level file, in milliseconds. */
  timeBudgetMs: number;
  /** Entries in one archive. */
  maxArchiveEntries: number;
}

export interface ScanOptions {
  policy?: ScanPolicy;
  limits?: Partial<ScanLimits>;
  /** Name shown in results when scanning bytes (default `<bytes>`). */
  name?: string;
}

export interface ScanPathsOptions extends ScanOptions {
  onProgress?(done: number, total: number, path: string): void;
}
