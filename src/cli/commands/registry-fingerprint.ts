import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createDecoyWatermarks } from '../../app/index.js';
import { AppError } from '../../core/index.js';
import { createHttpTarget } from '../../drill/index.js';
import { checkSuspect, suspectProbes, type SuspectCheck } from '../../registry/index.js';
import { loadOnnxModel } from '../../serve/index.js';
import { configFrom, positiveNumber } from '../context.js';
import { ExitCodes } from '../exit-code-values.js';
import { printTable } from '../output.js';
import { emit, formatOption, usage, type OutputFormat } from './registry-args.js';

interface FingerprintOptions {
  decoy: string;
  suspectModel?: string;
  apiKeyFile?: string;
  probes: number;
  alpha: number;
  format: OutputFormat;
}

type Scorer = {
  classCount?: number;
  scores(rows: number[][]): Promise<number[][]>;
  close(): Promise<void>;
};

async function onnxScorer(path: string): Promise<Scorer> {
  const model = await loadOnnxModel(path, { threads: 1 });
  return {
    classCount: model.classCount,
    scores: async (rows) => (await model.infer(rows)).probabilities,
    close: () => model.close(),
  };
}

/** A suspect behind a URL that speaks KServe V2 (`/v2/models/NAME/infer`), e.g. `aisoc serve`. */
function urlScorer(url: string, model: string, apiKey: string): Scorer {
  const target = createHttpTarget({ gatewayUrl: url, model, apiKey });
  return {
    async scores(rows) {
      const out: number[][] = [];
      for (let i = 0; i < rows.length; i += 256)
        out.push(...(await target.query(rows.slice(i, i + 256))).probabilities);
      return out;
    },
    close: () => Promise.resolve(),
  };
}

function printCheck(decoy: string, suspect: string, c: SuspectCheck): void {
  printTable(
    [
      { field: 'decoy', value: decoy },
      { field: 'suspect', value: suspect },
      { field: 'probes', value: String(c.probes) },
      { field: 'dimensions', value: String(c.dimensions) },
      { field: 'statistic (cosine)', value: c.statistic.toFixed(4) },
      { field: 'null mean ± sd', value: `${c.nullMean.toFixed(4)} ± ${c.nullSd.toFixed(4)}` },
      { field: 'p-value', value: c.pValue.toExponential(2) },
      { field: 'verdict', value: `${c.verdict} (alpha ${c.alpha})` },
    ],
    ['field', 'value'],
  );
}

export function registerFingerprintCommand(registry: Command): void {
  registry
    .command('fingerprint-suspect')
    .description(
      "check whether a model was trained on a decoy's watermarked answers (docs/decoys.md); exit 8 when the watermark is found",
    )
    .argument('<suspect>', 'an ONNX file, or the base URL of a KServe V2 server')
    .requiredOption('--decoy <model>', 'the decoy model in aisoc.yaml whose watermark to look for')
    .option('--suspect-model <name>', 'model name on the suspect URL (default: the decoy id)')
    .option('--api-key-file <file>', 'bearer key for the suspect URL')
    .option('--probes <n>', 'probe rows to ask the suspect', positiveNumber, 2000)
    .option('--alpha <p>', 'p-value below which the watermark is found', positiveNumber, 0.001)
    .addOption(formatOption())
    .action(async (suspect: string, opts: FingerprintOptions, command: Command) => {
      const config = configFrom(command);
      const decoy = config.models.find((m) => m.id === opts.decoy);
      if (!decoy) throw usage(`--decoy: no model "${opts.decoy}" in the config`);
      const version = decoy.versions.find((v) => v.onnx !== undefined);
      if (!version?.onnx)
        throw usage(`--decoy: ${decoy.id} has no in-process ONNX version to answer the probes`);
      if (!existsSync(join(config.dataDir, 'decoy-watermark.key')))
        throw new AppError(
          'DECOY_WATERMARK_INVALID',
          `${join(config.dataDir, 'decoy-watermark.key')} does not exist: this deployment never marked an answer`,
          { status: 404 },
        );
      const decoyModel = await onnxScorer(version.onnx);
      const isUrl = /^https?:\/\//.test(suspect);
      if (!isUrl && !existsSync(suspect)) throw usage(`<suspect>: ${suspect} does not exist`);
      const suspectModel = isUrl
        ? urlScorer(
            suspect,
            opts.suspectModel ?? decoy.id,
            opts.apiKeyFile ? readFileSync(opts.apiKeyFile, 'utf8').trim() : '',
          )
        : await onnxScorer(suspect);
      try {
        const classCount = decoyModel.classCount;
        const watermark = createDecoyWatermarks(
          [
            decoy.watermark
              ? decoy
              : { ...decoy, watermark: { share: 0.25, strength: 4, components: 8 } },
          ],
          config.dataDir,
          () => classCount,
        ).get(decoy.id)!;
        const probes = suspectProbes(watermark, Math.round(opts.probes));
        const suspectScores = await suspectModel.scores(probes);
        if (suspectScores.some((s) => s.length !== watermark.classCount))
          throw usage(
            `<suspect>: answers ${suspectScores[0]?.length ?? 0} scores a row where the decoy has ${watermark.classCount} classes`,
          );
        const check = checkSuspect({
          watermark,
          probes,
          decoyScores: await decoyModel.scores(probes),
          suspectScores,
          alpha: opts.alpha,
        });
        emit(opts.format, { decoy: decoy.id, suspect, ...check }, () =>
          printCheck(decoy.id, suspect, check),
        );
        if (check.verdict === 'watermark-found') process.exitCode = ExitCodes.CHECK_FAILED;
      } finally {
        await decoyModel.close();
        await suspectModel.close();
      }
    });
}
