import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { loadOnnxModel } from '../serve/index.js';
import type { Store } from '../store/index.js';
import { csvLine } from './event-format.js';
import { ForensicsErrorCodes, forensicsError } from './errors.js';
import { analyseImpact, type Decision, type ImpactSummary } from './impact.js';

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
] as const;

/** The model versions impact analysis can re-score with: the `models` section of aisoc.yaml. */
export interface ImpactModelSource {
  id: string;
  activeVersion?: string | undefined;
  subject?: string | undefined;
  versions: readonly { version: string; onnx?: string | undefined; digest?: string | undefined }[];
}

export interface RunImpactOptions {
  models: readonly ImpactModelSource[];
  model: string;
  version: string;
  /** Default: the active version when it is not the suspect, else the newest other ONNX version. */
  goodVersion?: string;
  /** An ONNX file of the known-good version, when aisoc.yaml does not name one. */
  goodOnnx?: string;
  from?: string;
  to?: string;
  out: string;
  format: ImpactFormat;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Which subject refs were erased (privacy); their sealed events are reported as erased. */
  erasedSubjects?: (refs: string[]) => Promise<ReadonlySet<string>>;
}

function goodVersionOf(model: ImpactModelSource, suspect: string): string | undefined {
  if (model.activeVersion !== undefined && model.activeVersion !== suspect)
    return model.activeVersion;
  return model.versions.filter((v) => v.version !== suspect && v.onnx !== undefined).at(-1)
    ?.version;
}

/**
 * Runs impact analysis with the known-good version's ONNX loaded in this process (its digest
 * checked when aisoc.yaml gives one) and writes every decision to `out` as CSV or JSONL.
 */
export async function runImpact(
  store: Store,
  options: RunImpactOptions,
): Promise<ImpactSummary & { goodDigest: string; file: string }> {
  const model = options.models.find((m) => m.id === options.model);
  if (!model)
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_MODEL_UNKNOWN,
      `no model "${options.model}" in the config`,
    );
  const good = options.goodVersion ?? goodVersionOf(model, options.version);
  if (good === undefined || good === options.version)
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_FILTER_INVALID,
      `good: name the known-good version of "${model.id}" to re-score on (--good), other than ${options.version}`,
      { details: { field: 'good' } },
    );
  const configured = model.versions.find((v) => v.version === good);
  const file = options.goodOnnx ?? configured?.onnx;
  if (file === undefined)
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_VERSION_UNSERVABLE,
      `${model.id}@${good} has no ONNX file in the config to re-score with in-process; pass --good-onnx FILE`,
    );
  const digest =
    options.goodOnnx === undefined ? configured?.digest?.replace(/^sha256:/, '') : undefined;
  const scorer = await loadOnnxModel(file, digest ? { expectedDigest: digest } : {});
  const sink = createWriteStream(options.out);
  const write = async (text: string) => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  try {
    if (options.format === 'csv')
      await write(
        csvLine(DECISION_CSV_COLUMNS, Object.fromEntries(DECISION_CSV_COLUMNS.map((c) => [c, c]))),
      );
    const summary = await analyseImpact(store, {
      model: model.id,
      version: options.version,
      goodVersion: good,
      scorer,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.erasedSubjects ? { erasedSubjects: options.erasedSubjects } : {}),
      onDecision: (d: Decision) =>
        write(
          options.format === 'csv'
            ? csvLine(DECISION_CSV_COLUMNS, d as unknown as Record<string, unknown>)
            : `${JSON.stringify(d)}\n`,
        ),
    });
    return { ...summary, goodDigest: `sha256:${scorer.digest}`, file: options.out };
  } finally {
    sink.end();
    await once(sink, 'close');
    await scorer.close();
  }
}
