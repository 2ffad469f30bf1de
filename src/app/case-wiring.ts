import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { createCaseRoutes, type ImpactRequest } from '../api/index.js';
import type { AisocConfig } from '../config/index.js';
import { runImpact, syncEventIndex, versionsServed, type Decision } from '../forensics/index.js';
import { readEntries, type LedgerWriter } from '../ledger/index.js';
import { AppError } from '../core/index.js';
import type { Responder } from '../respond/index.js';
import type { Store } from '../store/index.js';
import { addEvidence } from './forensics-wiring.js';

export interface CaseWiringDeps {
  config: Readonly<AisocConfig>;
  store: Store;
  responder: Responder;
  ledger: LedgerWriter;
}

/** Flipped decisions the impact answer lists; all of them are in the attached evidence. */
const FLIPS_SHOWN = 50;

/**
 * `aisoc impact --incident ID` as a route: the incident's model, window and known-good version
 * chosen as the CLI chooses them, every decision re-scored in this process, the decisions and
 * the summary attached to the incident as evidence (kinds `impact` and `impact_summary`).
 */
export async function incidentImpact(
  deps: CaseWiringDeps,
  incidentId: string,
  request: ImpactRequest,
  actor: string,
) {
  const detail = await deps.responder.detail(incidentId);
  const model = detail.incident.assets[0];
  if (model === undefined)
    throw new AppError('VALIDATION_FAILED', `incident ${incidentId} names no model`, {
      status: 400,
    });
  const from = request.from ?? detail.incident.firstSeen;
  const good =
    request.good ??
    detail.alerts
      .map((a) => (a.evidence as Record<string, unknown> | undefined)?.knownGoodVersion)
      .find((v): v is string => typeof v === 'string');
  await syncEventIndex(deps.store);
  const version =
    request.version ??
    (
      await versionsServed(deps.store, {
        models: [model],
        from,
        ...(request.to === undefined ? {} : { to: request.to }),
      })
    ).find((s) => s.version !== good)?.version;
  if (version === undefined)
    throw new AppError(
      'VALIDATION_FAILED',
      `body.version: no version of ${model} other than the known-good one served since ${from}; name the suspect version`,
      { status: 400 },
    );
  const dir = await mkdtemp(join(tmpdir(), 'aisoc-impact-'));
  try {
    const out = join(dir, 'decisions.jsonl');
    const summary = await runImpact(deps.store, {
      models: deps.config.models,
      model,
      version,
      ...(good === undefined ? {} : { goodVersion: good }),
      from,
      ...(request.to === undefined ? {} : { to: request.to }),
      out,
      format: 'jsonl',
    });
    const bytes = await readFile(out);
    const flips: Decision[] = [];
    for (const line of bytes.toString('utf8').split('\n')) {
      if (flips.length >= FLIPS_SHOWN) break;
      if (line.includes('"flipped":true')) flips.push(JSON.parse(line) as Decision);
    }
    const { file: _file, ...totals } = summary;
    const label = `impact of ${model}@${version} re-scored on ${summary.goodVersion}: ${summary.flips} of ${summary.decisions} decisions flip`;
    const summaryItem = await addEvidence(
      deps.responder,
      incidentId,
      {
        bytes: Buffer.from(JSON.stringify(totals)),
        kind: 'impact_summary',
        label: `impact summary of ${model}@${version} (for reports)`,
        mediaType: 'application/json',
      },
      actor,
    );
    const decisionsItem = await addEvidence(
      deps.responder,
      incidentId,
      { bytes, kind: 'impact', label, mediaType: 'application/x-ndjson' },
      actor,
    );
    return {
      summary: totals,
      flips,
      evidence: {
        summary: { id: summaryItem.id, digest: summaryItem.digest },
        decisions: { id: decisionsItem.id, digest: decisionsItem.digest },
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface CustodyEntry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  recipient: string | null;
}

/**
 * The custody history of an incident's evidence: every `respond.evidence.collected` and
 * `respond.evidence.handed_over` audit-ledger entry naming the incident, per item. Reads the
 * whole audit stream (a text test skips unrelated entries cheaply).
 */
export async function incidentCustody(deps: CaseWiringDeps, incidentId: string) {
  await deps.responder.incidents.get(incidentId);
  await deps.ledger.flush();
  const items = await deps.responder.evidence.list(incidentId);
  const collected = new Map<string, CustodyEntry>(); // by evidence id
  const handedOver: { digests: string[]; entry: CustodyEntry }[] = [];
  for (let from = 0; ;) {
    const page = await readEntries(deps.store, 'audit', { fromSeq: from, limit: 5000 });
    if (page.length === 0) break;
    for (const e of page) {
      if (!e.payload.includes('respond.evidence.') || !e.payload.includes(incidentId)) continue;
      const p = JSON.parse(e.payload) as {
        type?: string;
        incidentId?: string;
        evidenceId?: string;
        actor?: string;
        at?: string;
        recipient?: string;
        digests?: string[];
      };
      if (p.incidentId !== incidentId || !p.type?.startsWith('respond.evidence.')) continue;
      const entry: CustodyEntry = {
        seq: e.seq,
        at: p.at ?? e.time,
        type: p.type.slice('respond.evidence.'.length),
        actor: p.actor ?? '',
        recipient: p.recipient ?? null,
      };
      if (p.type === 'respond.evidence.collected' && p.evidenceId)
        collected.set(p.evidenceId, entry);
      else if (p.digests) handedOver.push({ digests: p.digests, entry });
    }
    from = page.at(-1)!.seq + 1;
  }
  // Hand-overs name digests; an item's custody starts when it was collected, so an earlier
  // hand-over of the same bytes (held as another item) is not part of it.
  return {
    incidentId,
    items: items.map((i) => {
      const start = collected.get(i.id);
      const after = start?.seq ?? -1;
      return {
        evidenceId: i.id,
        digest: i.digest,
        kind: i.kind,
        description: i.description,
        custody: [
          ...(start ? [start] : []),
          ...handedOver
            .filter((h) => h.entry.seq > after && h.digests.includes(i.digest))
            .map((h) => h.entry),
        ],
      };
    }),
  };
}

/** The case routes over the running services, to mount behind the admin API. */
export function caseRoutes(deps: CaseWiringDeps): (actor: (c: Context) => string) => Hono {
  return (actor) =>
    createCaseRoutes(
      {
        impact: (id, request, who) => incidentImpact(deps, id, request, who),
        custody: (id) => incidentCustody(deps, id),
      },
      actor,
    );
}
