import type { Severity } from '../core/index.js';
import type { ScanPolicy } from './policy.js';
import { ScanLimitError } from './scan-error.js';
import type { Finding, FindingLocation, ScanFormat, ScanLimits } from './types.js';

export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze({
  maxMemberBytes: 256 * 1024 * 1024,
  maxTotalInflatedBytes: 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxDepth: 8,
  maxPickleOps: 20_000_000,
  timeBudgetMs: 60_000,
  maxArchiveEntries: 100_000,
});

/** Shared, per-top-level-file state: findings, budgets, the policy. */
interface SharedState {
  policy: ScanPolicy;
  limits: ScanLimits;
  findings: Finding[];
  seen: Set<string>;
  deadline: number;
  inflated: number;
  pickleOps: number;
  /** Folder of the top-level file on disk, for ONNX external data; undefined for bytes. */
  baseDir: string | undefined;
  formats: ScanFormat[];
}

/** What a format scanner gets: where it is (member path, depth) and how to report. */
export class ScanContext {
  private constructor(
    private readonly shared: SharedState,
    readonly memberPath: string | undefined,
    readonly depth: number,
  ) {}

  static create(policy: ScanPolicy, limits: ScanLimits, baseDir: string | undefined): ScanContext {
    const shared: SharedState = {
      policy,
      limits,
      findings: [],
      seen: new Set(),
      deadline: Date.now() + limits.timeBudgetMs,
      inflated: 0,
      pickleOps: 0,
      baseDir,
      formats: [],
    };
    return new ScanContext(shared, undefined, 0);
  }

  get policy(): ScanPolicy {
    return this.shared.policy;
  }
  get limits(): ScanLimits {
    return this.shared.limits;
  }
  get findings(): Finding[] {
    return this.shared.findings;
  }
  get baseDir(): string | undefined {
    return this.shared.baseDir;
  }

  /** A context for a member of an archive or a pickle nested in a pickle, one level deeper. */
  child(member: string): ScanContext {
    if (this.depth + 1 > this.limits.maxDepth) {
      throw new ScanLimitError(`nesting deeper than ${this.limits.maxDepth} levels at ${member}`);
    }
    const path = this.memberPath === undefined ? member : `${this.memberPath}!/${member}`;
    return new ScanContext(this.shared, path, this.depth + 1);
  }

  /** Records a finding once per (rule, message, member). */
  add(severity: Severity, rule: string, message: string, location: FindingLocation = {}): void {
    const loc: FindingLocation = { ...location };
    if (this.memberPath !== undefined && loc.member === undefined) loc.member = this.memberPath;
    else if (this.memberPath !== undefined && loc.member !== undefined)
      loc.member = `${this.memberPath}!/${loc.member}`;
    const key = `${rule}\u0000${message}\u0000${loc.member ?? ''}`;
    if (this.shared.seen.has(key)) return;
    this.shared.seen.add(key);
    if (this.shared.findings.length >= 1000) return;
    this.shared.findings.push({ severity, rule, message, location: loc });
  }

  /** Throws SCAN_LIMIT_EXCEEDED once the per-file time budget is spent. */
  checkTime(): void {
    if (Date.now() > this.shared.deadline) {
      throw new ScanLimitError(`time budget of ${this.limits.timeBudgetMs} ms exceeded`);
    }
  }

  /** Accounts decompressed bytes against the per-file total. */
  chargeInflated(bytes: number): void {
    this.shared.inflated += bytes;
    if (this.shared.inflated > this.limits.maxTotalInflatedBytes) {
      throw new ScanLimitError(
        `more than ${this.limits.maxTotalInflatedBytes} decompressed bytes (zip bomb?)`,
      );
    }
  }

  /** Accounts simulated pickle opcodes against the per-file total. */
  chargeOps(count: number): void {
    this.shared.pickleOps += count;
    if (this.shared.pickleOps > this.limits.maxPickleOps) {
      throw new ScanLimitError(`more than ${this.limits.maxPickleOps} pickle opcodes`);
    }
  }

  noteFormat(format: ScanFormat): void {
    this.shared.formats.push(format);
  }

  /** The first format sniffed at the top level, for results that end in an error. */
  get sniffedFormat(): ScanFormat {
    return this.shared.formats[0] ?? 'unknown';
  }
}
