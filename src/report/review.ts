import type { ImpactSummary } from '../forensics/index.js';
import type { ReviewFairness } from './fairness.js';
import { deadlineClocks, knownRegulations, type DeadlineClock } from './clocks.js';

/** What a post-incident review is built from: the responder's view of one incident. */
export interface ReviewInput {
  incident: {
    id: string;
    title: string;
    category: string;
    phase: string;
    severity: {
      computed: string;
      reasons: string[];
      override: { severity: string; reason: string; by: string } | null;
    };
    assets: string[];
    principals: string[];
    sources: string[];
    kinds: string[];
    firstSeen: string;
    lastSeen: string;
    phaseTimes: Partial<Record<string, string>>;
    assignee: string | null;
  };
  metrics: { ttdMs: number | null; ttcMs: number | null; ttrMs: number | null };
  techniques: { id: string; name?: string | undefined }[];
  owasp: { id: string; title: string | null }[];
  alerts: {
    id: string;
    time: string;
    detector: string;
    kind: string;
    title: string;
    confidence: number;
  }[];
  timeline: { at: string; type: string; actor: string; data: Record<string, unknown> }[];
  tasks: {
    title: string;
    kind: string;
    status: string;
    role: string | null;
    doneBy: string | null;
  }[];
  evidence: {
    digest: string;
    kind: string;
    size: number;
    description: string;
    collectedBy: string;
    createdAt: string;
  }[];
  actions: {
    id: string;
    action: { kind: string };
    reason: string;
    actor: string;
    appliedAt: string;
    liftedAt: string | null;
  }[];
  impact: ImpactSummary[];
  /** `models[].regulations`, `criticality` and `tags` of the incident's assets. */
  assets: { id: string; regulations: string[]; criticality: string; tags: string[] }[];
  contact: string;
  /** Group fairness from the latest performance window of each model, when labels had groups. */
  fairness?: ReviewFairness[];
}

export interface Review extends ReviewInput {
  generatedAt: string;
  awareAt: string;
  clocks: DeadlineClock[];
  rootCause: string[];
  lessons: string[];
  openTasks: ReviewInput['tasks'];
  approvals: ReviewInput['tasks'];
  affected: { decisions: number; flips: number; subjects: number; principals: number };
}

const notes = (input: ReviewInput, prefix: RegExp) =>
  input.timeline
    .filter((t) => t.type === 'note' && typeof t.data.text === 'string' && prefix.test(t.data.text))
    .map((t) => (t.data.text as string).replace(prefix, '').trim());

/**
 * The post-incident review (NIST SP 800-61r2 §3.4): the facts gathered from the record, the
 * clocks of every regulation its models are tagged with, and the responder's own notes
 * (`root cause: …`, `lesson: …`) where judgement is needed.
 */
export function buildReview(input: ReviewInput, now: number): Review {
  const awareAt = input.incident.phaseTimes.detected ?? input.incident.firstSeen;
  const regulations = [...new Set(input.assets.flatMap((a) => knownRegulations(a.regulations)))];
  const context = {
    criticality: input.assets.some((a) => a.criticality === 'critical') ? 'critical' : 'high',
    tags: input.assets.flatMap((a) => a.tags),
  };
  const principals = new Set(input.impact.flatMap((i) => Object.keys(i.byPrincipal)));
  return {
    ...input,
    generatedAt: new Date(now).toISOString(),
    awareAt,
    clocks: deadlineClocks(regulations, awareAt, context, now),
    rootCause: notes(input, /^root cause:/i),
    lessons: notes(input, /^lessons?:/i),
    openTasks: input.tasks.filter((t) => t.status === 'open'),
    approvals: input.tasks.filter((t) => t.kind === 'approval'),
    affected: {
      decisions: input.impact.reduce((a, i) => a + i.decisions, 0),
      flips: input.impact.reduce((a, i) => a + i.flips, 0),
      subjects: input.impact.reduce((a, i) => a + i.subjects, 0),
      principals: principals.size,
    },
  };
}

/** "2 h 5 min", "42 s", or "—". */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}
