import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, createId, type Alert, type InferenceEvent } from '../../core/index.js';
import {
  createExtractionDetector,
  loadReferenceBaseline,
  type ExtractionOptions,
} from '../../detect/index.js';
import { writeOut } from '../output.js';

/** Codes `aisoc detect replay` fails with. */
export const DetectCommandErrorCodes = {
  REPLAY_LINE_INVALID: 'DETECT_REPLAY_LINE_INVALID',
  REPLAY_FILE_UNREADABLE: 'DETECT_REPLAY_FILE_UNREADABLE',
  FORMAT_INVALID: 'DETECT_FORMAT_INVALID',
} as const;

const ReplayLineSchema = z.object({
  principal: z.string().nullable(),
  time: z.iso.datetime({ offset: true }),
  features: z.union([z.array(z.array(z.number())), z.array(z.number()).transform((r) => [r])]),
  outputs: z.array(z.unknown()),
  id: z.string().optional(),
  sourceAddress: z.string().optional(),
  keyId: z.string().nullable().optional(),
});

/** Turns one replay line into an InferenceEvent, or throws naming the line and the problem. */
export function parseReplayLine(text: string, lineNo: number, model: string): InferenceEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      DetectCommandErrorCodes.REPLAY_LINE_INVALID,
      `line ${lineNo}: not JSON (${(error as Error).message})`,
      { status: 400 },
    );
  }
  const parsed = ReplayLineSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`)
      .join('; ');
    throw new AppError(DetectCommandErrorCodes.REPLAY_LINE_INVALID, `line ${lineNo}: ${problems}`, {
      status: 400,
    });
  }
  const l = parsed.data;
  const id = l.id ?? `line-${lineNo}`;
  return {
    id,
    time: new Date(l.time).toISOString(),
    requestId: id,
    model,
    modelVersion: null,
    artifactDigest: null,
    protocol: 'generic-json',
    principal: l.principal,
    keyId: l.keyId ?? null,
    sourceAddress: l.sourceAddress ?? '0.0.0.0',
    features: l.features,
    outputs: l.outputs,
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 0,
  };
}

function formatAlert(a: Alert): string {
  return `${a.time}  ${a.severity.padEnd(6)}  ${a.detector.padEnd(28)}  ${a.principal ?? '-'}  ${a.title}  [${a.atlasTechniques.join(', ')}]`;
}

export interface ReplayOptions {
  readonly model: string;
  readonly reference?: string;
  readonly dataDir?: string;
  readonly format?: 'text' | 'json';
  /** Detector options (see ExtractionOptionsSchema), e.g. the values eval-detect calibrated. */
  readonly detectorOptions?: ExtractionOptions;
}

/** Runs the extraction/evasion detector over a JSONL file and writes the alerts. */
export async function replayFile(
  path: string,
  o: ReplayOptions,
  write: (line: string) => void,
): Promise<{ events: number; alerts: number }> {
  const baseline = loadReferenceBaseline(
    o.reference ?? join(o.dataDir ?? 'data', o.model, 'reference.csv'),
    o.model,
  );
  const detector = createExtractionDetector(baseline, o.detectorOptions);
  const state = detector.init();
  if (!existsSync(path))
    throw new AppError(DetectCommandErrorCodes.REPLAY_FILE_UNREADABLE, `cannot read ${path}`, {
      status: 404,
    });
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  let events = 0;
  let alerts = 0;
  for await (const text of lines) {
    lineNo += 1;
    if (text.trim() === '') continue;
    events += 1;
    for (const finding of detector.observe(state, parseReplayLine(text, lineNo, o.model))) {
      alerts += 1;
      const alert: Alert = { id: createId('alr', Date.parse(finding.time)), ...finding };
      write(o.format === 'json' ? JSON.stringify(alert) : formatAlert(alert));
    }
  }
  if (o.format !== 'json') write(`${events} events, ${alerts} alerts`);
  return { events, alerts };
}

function parseOptionsFlag(text: string | undefined): ExtractionOptions | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as ExtractionOptions;
  } catch (error) {
    throw new AppError(
      DetectCommandErrorCodes.FORMAT_INVALID,
      `--options is not JSON: ${(error as Error).message}`,
      { status: 400 },
    );
  }
}

/** Registers `aisoc detect replay EVENTS.jsonl --model M [--format json]`. */
export function registerDetectCommands(
  program: Command,
  write: (line: string) => void = (l) => writeOut(`${l}\n`),
): void {
  const detect = program.command('detect').description('run detectors over recorded traffic');
  detect
    .command('replay')
    .description(
      'replay recorded inference events (JSONL: principal, time, features, outputs) through the extraction/evasion detectors',
    )
    .argument('<events>', 'JSONL file, one event per line')
    .requiredOption('--model <id>', 'model id; its baseline is data/<id>/reference.csv')
    .option(
      '--reference <csv>',
      'reference split to build the baseline from (feature columns, then label)',
    )
    .option('--data-dir <dir>', 'folder holding <model>/reference.csv', 'data')
    .option('--format <format>', 'text or json (one alert per line)', 'text')
    .option('--options <json>', 'detector options as JSON, e.g. {"similarity":{"threshold":0.35}}')
    .action(
      async (
        events: string,
        opts: {
          model: string;
          reference?: string;
          dataDir: string;
          format: string;
          options?: string;
        },
      ) => {
        if (opts.format !== 'text' && opts.format !== 'json') {
          throw new AppError(
            DetectCommandErrorCodes.FORMAT_INVALID,
            `--format must be text or json, got ${opts.format}`,
            { status: 400 },
          );
        }
        await replayFile(
          events,
          {
            model: opts.model,
            reference: opts.reference,
            dataDir: opts.dataDir,
            format: opts.format,
            detectorOptions: parseOptionsFlag(opts.options),
          },
          write,
        );
      },
    );
}
