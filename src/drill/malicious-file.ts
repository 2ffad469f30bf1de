import { ATLAS } from '../core/index.js';
import { DrillErrorCodes, drillError } from './errors.js';
import type { PipelineScenario } from './pipeline.js';

const ATTACKS = ['pickle-os-system', 'pickle-builtins-exec'] as const;

/**
 * A protocol-2 pickle that, when loaded, calls `module.name(arg)` (GLOBAL, BINUNICODE,
 * TUPLE1, REDUCE): the shape of a code-execution payload in a model file. Built as bytes and
 * only ever uploaded, never loaded.
 */
export function picklePayload(module: string, name: string, arg: string): Uint8Array {
  const text = Buffer.from(arg, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(text.length);
  return Buffer.concat([
    Buffer.from([0x80, 0x02]), // PROTO 2
    Buffer.from(`c${module}\n${name}\n`, 'latin1'), // GLOBAL module.name
    Buffer.from([0x71, 0x00]), // BINPUT 0
    Buffer.from('X', 'latin1'), // BINUNICODE
    length,
    text,
    Buffer.from([0x71, 0x01, 0x85, 0x71, 0x02]), // BINPUT 1, TUPLE1, BINPUT 2
    Buffer.from('R', 'latin1'), // REDUCE: module.name(arg)
    Buffer.from([0x71, 0x03, 0x2e]), // BINPUT 3, STOP
  ]);
}

const PAYLOADS: Record<string, () => Uint8Array> = {
  'pickle-os-system': () => picklePayload('os', 'system', 'echo aisoc-drill-payload'),
  'pickle-builtins-exec': () => picklePayload('builtins', 'exec', "print('aisoc-drill-payload')"),
};

/**
 * Malicious model file submitted for approval (ATLAS AML.T0010.003, AML.T0011.000): the file
 * is uploaded as a new version of a throw-away registry model, then approval is asked for.
 */
export const maliciousFile: PipelineScenario = {
  kind: 'pipeline',
  name: 'malicious-file',
  attacks: ATTACKS,
  atlas: [ATLAS.supplyChainModel, ATLAS.unsafeAiArtifacts],
  containment: 'approval refused, version quarantined and never deployable',
  async run(ctx) {
    const model = `drill-upload-${ctx.run}`;
    const base = `/api/v1/registry/models/${encodeURIComponent(model)}`;
    const json = (v: unknown) => ({ type: 'application/json', data: JSON.stringify(v) });
    const expect = (what: string, r: { status: number; json: unknown }, ok: number) => {
      if (r.status !== ok)
        throw drillError(
          DrillErrorCodes.DRILL_HTTP_FAILED,
          `${what}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`,
        );
    };
    const alerts = ctx.watch(model);
    expect(
      'register the model',
      await ctx.admin.request(
        'POST',
        '/api/v1/registry/models',
        json({ name: model, owner: 'aisoc-drill', description: 'drill: malicious model file' }),
      ),
      201,
    );
    const file = PAYLOADS[ctx.attack]!();
    expect(
      'upload the model file',
      await ctx.admin.request('POST', `${base}/artifacts?version=1&filename=model.pkl`, {
        type: 'application/octet-stream',
        data: file,
      }),
      201,
    );
    ctx.progress(`malicious-file: ${file.length}-byte pickle uploaded as ${model}@1`);
    const startedAt = Date.now();
    const approve = await ctx.admin.request(
      'POST',
      `${base}/versions/1/approve`,
      json({ reason: 'drill: new model from a vendor' }),
    );
    const answeredAt = Date.now();
    const state = await ctx.admin.request('GET', `${base}/versions/1`);
    const deploy = await ctx.admin.request(
      'POST',
      `${base}/versions/1/deploy`,
      json({ endpoint: model, reason: 'drill: try to serve it anyway' }),
    );
    const versionState = (state.json as { state?: string } | null)?.state ?? 'unknown';
    const refused = approve.status >= 400 && approve.status < 500;
    const deployable = deploy.status < 300;
    await alerts.poll();
    return {
      startedAt,
      requests: 4,
      subject: ctx.attacker,
      matches: (a) => a.model === model && a.kind === 'malicious_file',
      contained:
        refused && versionState === 'quarantined' && !deployable
          ? { at: answeredAt, status: approve.status }
          : null,
      achieved: { queries: 0, approved: approve.status < 300, deployable, versionState },
    };
  },
};
