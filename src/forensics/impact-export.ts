import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { loadOnnxModel } from '../serve/index.js';
import type { Store } from '../store/index.js';
import { csvLine } from './event-format.js';
import { ForensicsErrorCodes, forensicsError } from './errors.js';
import { createHttpScorer } from './http-scorer.js';
import {
  analyseImpact,
  type Decision,
  type ImpactSummary,
  type ImpactWindow,
  type Scorer,
} from './impact.js';

export const IMPACT_FORMATS = ['csv', 'jsonl'] as const;
export type ImpactFormat = (typeof IMPACT_FORMATS)[number];

export const DECISION_CSV_COLUMNS = [
  'requestId',
  'time',
  'principal',
  'keyId',
  'subject',
  'row',
  'answerLabel',
  'goodLabel',
  'flipped',
  'input',
  'answer',
  'goodProbabilities',
  'seq',
  'eventId',
  'modelVersion',
  'error',
] as const;

/** The model versions impact analysis can re-score with: the `models` section of aisoc.yaml. */
export interface ImpactModelSource {
  id: string;
  protocol?: string | undefined;
  activeVersion?: string | undefined;
  subject?: string | undefined;
  versions: readonly {
    version: string;
    onnx?: string | undefined;
    upstream?: string | undefined;
    digest?: string | undefined;
  }[];
}

/** How the known-good version is asked: its ONNX in-process, else its upstream over HTTP. */
interface GoodSource {
  models: readonly ImpactModelSource[];
  goodVersion?: string;
  goodOnnx?: string;
  /** The known-good version's upstream base URL, when aisoc.yaml does not name one. */
  goodUpstream?: string;
  /** Upstream request timeout (default 10 s). */
  upstreamTimeoutMs?: number;
}

export interface RunImpactOptions extends GoodSource {
  model: string;
  version: string;
  from?: string;
  to?: string;
  out: string;
  format: ImpactFormat;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Which subject refs were erased (privacy); their sealed events are reported as erased. */
  erasedSubjects?: (refs: string[]) => Promise<ReadonlySet<string>>;
}

/** The active version unless it is suspect, else the newest version that is not. */
function goodVersionOf(model: ImpactModelSource, suspect: ReadonlySet<string>): string | undefined {
  if (model.activeVersion !== undefined && !suspect.has(model.activeVersion))
    return model.activeVersion;
  return model.versions.filter((v) => !suspect.has(v.version)).at(-1)?.version;
}

interface OpenScorer {
  scorer: Scorer;
  goodVersion: string;
  /** `sha256:…` of the ONNX file, or the upstream URL asked. */
  goodSource: string;
  close(): Promise<void>;
}

async function openScorer(
  source: GoodSource,
  modelId: string,
  suspect: ReadonlySet<string>,
): Promise<OpenScorer> {
  const model = source.models.find((m) => m.id === modelId);
  if (!model)
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_MODEL_UNKNOWN,
      `no model "${modelId}" in the config`,
    );
  const good = source.goodVersion ?? goodVersionOf(model, suspect);
  if (good === undefined || suspect.has(good))
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_FILTER_INVALID,
      `good: name the known-good version of "${model.id}" to re-score on (--good), other than ${[...suspect].join(', ')}`,
      { details: { field: 'good' } },
    );
  const configured = model.versions.find((v) => v.version === good);
  const file = source.goodOnnx ?? (source.goodUpstream ? undefined : configured?.onnx);
  if (file !== undefined) {
    const digest =
      source.goodOnnx === undefined ? configured?.digest?.replace(/^sha256:/, '') : undefined;
    const onnx = await loadOnnxModel(file, digest ? { expectedDigest: digest } : {});
    return {
      scorer: onnx,
      goodVersion: good,
      goodSource: `sha256:${onnx.digest}`,
      close: () => onnx.close(),
    };
  }
  const upstream = source.goodUpstream ?? configured?.upstream;
  if (upstream === undefined)
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_VERSION_UNSERVABLE,
      `${model.id}@${good} has neither an ONNX file nor an upstream in the config to re-score with; pass --good-onnx FILE or --good-upstream URL`,
    );
  if ((model.protocol ?? 'kserve-v2') !== 'kserve-v2')
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_VERSION_UNSERVABLE,
      `${model.id} speaks ${model.protocol}; re-scoring through an upstream speaks KServe V2 only; pass --good-onnx FILE`,
    );
  const http = createHttpScorer({
    upstream,
    model: model.id,
    version: good,
    ...(source.upstreamTimeoutMs === undefined ? {} : { timeoutMs: source.upstreamTimeoutMs }),
  });
  return { scorer: http, goodVersion: good, goodSource: http.url, close: async () => undefined };
}

async function openDecisionSink(out: string, format: ImpactFormat) {
  const sink = createWriteStream(out);
  const write = async (text: string) => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  if (format === 'csv')
    await write(
      csvLine(DECISION_CSV_COLUMNS, Object.fromEntries(DECISION_CSV_COLUMNS.map((c) => [c, c]))),
    );
  return {
    decision: (d: Decision) =>
      write(
        format === 'csv'
          ? csvLine(DECISION_CSV_COLUMNS, d as unknown as Record<string, unknown>)
          : `${JSON.stringify(d)}\n`,
      ),
    close: async () => {
      sink.end();
      await once(sink, 'close');
    },
  };
}

/**
 * Runs impact analysis on the known-good version, asked in-process from its ONNX (its digest
 * checked when aisoc.yaml gives one) or else through its upstream, and writes every decision
 * to `out` as CSV or JSONL.
 */
export async function runImpact(
  store: Store,
  options: RunImpactOptions,
): Promise<ImpactSummary & { goodDigest: string; file: string }> {
  const good = await openScorer(options, options.model, new Set([options.version]));
  const sink = await openDecisionSink(options.out, options.format).catch(async (err: unknown) => {
    await good.close();
    throw err;
  });
  try {
    const summary = await analyseImpact(store, {
      model: options.model,
      version: options.version,
      goodVersion: good.goodVersion,
      scorer: good.scorer,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.erasedSubjects ? { erasedSubjects: options.erasedSubjects } : {}),
      onDecision: sink.decision,
    });
    return { ...summary, goodDigest: good.goodSource, file: options.out };
  } finally {
    await sink.close();
    await good.close();
  }
}

/** One suspect version and the windows it served (from its deployments). */
export interface ImpactTarget {
  model: string;
  version: string;
  windows: ImpactWindow[];
}

export interface RunManyOptions extends GoodSource {
  targets: readonly ImpactTarget[];
  out: string;
  format: ImpactFormat;
  concurrency?: number;
  /** Called with the target being re-scored, decisions done and expected. */
  onProgress?: (target: ImpactTarget, done: number, total: number) => void;
  erasedSubjects?: (refs: string[]) => Promise<ReadonlySet<string>>;
}

export interface ManyImpactSummary {
  versions: (ImpactSummary & { goodDigest: string })[];
  decisions: number;
  flips: number;
  errors: number;
  file: string;
}

/**
 * Impact of several suspect versions (e.g. all trained on one poisoned snapshot), each in its
 * own windows, into one file; a summary per version. The known-good version of each model is
 * one that is not among the suspects.
 */
export async function runImpactMany(
  store: Store,
  options: RunManyOptions,
): Promise<ManyImpactSummary> {
  const suspects = new Map<string, Set<string>>();
  for (const t of options.targets)
    (suspects.get(t.model) ?? suspects.set(t.model, new Set()).get(t.model)!).add(t.version);
  const sink = await openDecisionSink(options.out, options.format);
  const result: ManyImpactSummary = {
    versions: [],
    decisions: 0,
    flips: 0,
    errors: 0,
    file: options.out,
  };
  try {
    for (const target of options.targets) {
      if (target.windows.length === 0) continue;
      const good = await openScorer(options, target.model, suspects.get(target.model)!);
      try {
        const summary = await analyseImpact(store, {
          model: target.model,
          version: target.version,
          goodVersion: good.goodVersion,
          scorer: good.scorer,
          windows: target.windows,
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.onProgress
            ? { onProgress: (d: number, t: number) => options.onProgress!(target, d, t) }
            : {}),
          ...(options.erasedSubjects ? { erasedSubjects: options.erasedSubjects } : {}),
          onDecision: sink.decision,
        });
        result.versions.push({ ...summary, goodDigest: good.goodSource });
        result.decisions += summary.decisions;
        result.flips += summary.flips;
        result.errors += summary.errors;
      } finally {
        await good.close();
      }
    }
    return result;
  } finally {
    await sink.close();
  }
}
