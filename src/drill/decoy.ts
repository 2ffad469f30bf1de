import { ATLAS } from '../core/index.js';
import { DrillErrorCodes, drillError } from './errors.js';
import { kserveBody, sleep, type PipelineScenario } from './pipeline.js';

/** Names an attacker holding a broad key tries next to the real model's (the decoy's last). */
const probeNames = (model: string, decoy: string) => [
  `${model}-internal`,
  `${model}-staging`,
  decoy,
];

interface Sent {
  at: number;
  model: string;
  status: number;
}

/**
 * An attacker with a leaked key that is valid for every model (ATLAS AML.T0040) enumerates
 * model names next to the real one, finds the decoy answering, and keeps querying it to copy
 * it (AML.T0024.002). The decoy detector must alert on the first query and the
 * `decoy-access` playbook slow the key: containment is the first 429 or 403 the key gets.
 */
export const decoy: PipelineScenario = {
  kind: 'pipeline',
  name: 'decoy',
  attacks: ['probe'],
  atlas: [ATLAS.inferenceApiAccess, ATLAS.extractModel],
  containment: 'the probing key is slowed or refused (decoy-access playbook)',
  async run(ctx) {
    const target = ctx.control.decoyModel ?? `${ctx.model}-v0`;
    const created = await ctx.defender.post<{ secret?: unknown; key?: { id?: unknown } }>(
      '/api/v1/keys',
      {
        principal: ctx.attacker,
        description: 'aisoc drill (throw-away): a leaked key valid for every model',
      },
    );
    if (typeof created.secret !== 'string' || typeof created.key?.id !== 'string')
      throw drillError(
        DrillErrorCodes.DRILL_RESPONSE_INVALID,
        'POST /api/v1/keys: no secret or key id',
      );
    const keyId = created.key.id;
    const key = created.secret;
    ctx.watch(target); // the drill watches the drilled model only
    const base = ctx.gatewayUrl.replace(/\/$/, '');
    const sent: Sent[] = [];
    const query = async (model: string, i: number): Promise<Sent> => {
      const at = Date.now();
      const res = await fetch(`${base}/v2/models/${encodeURIComponent(model)}/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: kserveBody([ctx.data.holdout[i % ctx.data.holdout.length]!]),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => null);
      await res?.arrayBuffer();
      const s = { at, model, status: res?.status ?? 0 };
      sent.push(s);
      return s;
    };
    const startedAt = Date.now();
    for (const [i, name] of probeNames(ctx.model, target).entries()) await query(name, i);
    const first = sent.at(-1)!;
    if (first.status === 404)
      throw drillError(
        DrillErrorCodes.DRILL_CONTROL_MISSING,
        `decoy: the target serves no model "${target}"; configure one with models[].decoy: true (docs/decoys.md) and name it with control.decoyModel`,
      );
    ctx.progress(`decoy: ${target} answered ${first.status}; the attacker keeps querying it`);
    let contained: { at: number; status: number } | null =
      first.status === 403 || first.status === 429 ? first : null;
    const end = Date.now() + ctx.settleMs + 5000;
    for (let i = 0; contained === null && Date.now() < end; i += 1) {
      const s = await query(target, i + 3);
      if (s.status === 403 || s.status === 429) contained = s;
      else await sleep(100);
    }
    const onDecoy = sent.filter((s) => s.model === target);
    const answered = onDecoy.filter((s) => s.status === 200).length;
    return {
      startedAt,
      requests: sent.length,
      subject: keyId, // the playbook runs on the key
      matches: (a) =>
        a.model === target && a.kind === 'decoy' && Date.parse(a.time) >= startedAt - 1000,
      contained: contained && { at: contained.at, status: contained.status },
      queriesToAlert: (alertAt) => onDecoy.filter((s) => s.at <= alertAt).length,
      achieved: { queries: onDecoy.length, decoyAnswers: answered },
    };
  },
};
