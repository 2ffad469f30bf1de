import { ATLAS } from '../../core/index.js';
import type { RegulationTag } from '../../core/index.js';
import type { ScenarioName } from '../scenarios.js';

/** The five incident-response scenarios aisoc was built for, as tabletop exercises. */
export const TABLETOP_SCENARIOS = [
  'extraction',
  'evasion',
  'poisoning',
  'healthcare',
  'supply-chain',
] as const;
export type TabletopScenario = (typeof TABLETOP_SCENARIOS)[number];

export const TABLETOP_ROLES = [
  'security',
  'ml-engineering',
  'legal-privacy',
  'communications',
  'executive',
] as const;
export type TabletopRole = (typeof TABLETOP_ROLES)[number];

export const ROLE_TITLES: Record<TabletopRole, string> = {
  security: 'Security (incident commander)',
  'ml-engineering': 'ML engineering',
  'legal-privacy': 'Legal / privacy',
  communications: 'Communications',
  executive: 'Executive sponsor',
};

/** One event the facilitator reads out; `atMinutes` counts from the start of the exercise. */
export interface Inject {
  readonly atMinutes: number;
  readonly text: string;
  /** Who the inject lands on first. */
  readonly to: readonly TabletopRole[];
}

export interface Decision {
  readonly role: TabletopRole;
  readonly decision: string;
  /** A regulatory clock id (core/regulatory-clocks) whose deadline bounds it. */
  readonly clock?: string;
}

export interface TabletopPack {
  readonly scenario: TabletopScenario;
  readonly title: string;
  readonly premise: string;
  /** The technical drill whose scorecard gives the real timings, where one exists. */
  readonly drill?: ScenarioName;
  readonly atlas: readonly string[];
  readonly regulations: readonly RegulationTag[];
  readonly injects: readonly Inject[];
  readonly briefs: Readonly<Record<TabletopRole, string>>;
  readonly decisions: readonly Decision[];
  readonly questions: readonly string[];
}

const commonBriefs = {
  communications:
    'You own what customers, staff and the press hear. Nothing goes out that Legal has not seen; nothing says more than the facts established so far.',
  executive:
    'You own the business decisions: taking a revenue-bearing model offline, disclosure, and whether the incident is material.',
} as const;

export const TABLETOP_PACKS: Readonly<Record<TabletopScenario, TabletopPack>> = {
  extraction: {
    scenario: 'extraction',
    title: 'Model extraction through the public scoring API',
    premise:
      'A partner key sends thousands of synthetic-looking queries to the risk-scoring API. The model is a trade secret that took a year to build.',
    drill: 'extraction',
    atlas: [ATLAS.extractModel, ATLAS.inferenceApiAccess],
    regulations: ['sec-8k', 'nis2'],
    injects: [
      {
        atMinutes: 0,
        text: 'aisoc raises an extraction alert on one partner key.',
        to: ['security'],
      },
      {
        atMinutes: 10,
        text: 'The playbook throttled the key; the partner calls support complaining of 429s.',
        to: ['communications', 'security'],
      },
      {
        atMinutes: 25,
        text: 'The same query pattern appears on three more keys from other networks.',
        to: ['security', 'ml-engineering'],
      },
      {
        atMinutes: 40,
        text: 'A competitor announces a product whose scores match yours on public examples.',
        to: ['executive', 'legal-privacy'],
      },
    ],
    briefs: {
      security:
        'Decide whether to suspend, rate-limit or watermark the keys; keep the evidence bundle; link the campaign across keys.',
      'ml-engineering':
        'Estimate how much of the model the answers reveal (surrogate fidelity); propose output hardening (rounding, label-only).',
      'legal-privacy':
        'Assess the partner contract, trade-secret claims and what evidence a court would need.',
      ...commonBriefs,
    },
    decisions: [
      {
        role: 'communications',
        decision: 'What the partner and other customers are told about the throttling, and when',
      },
      {
        role: 'security',
        decision:
          'Suspend or keep watching the keys (watching gathers evidence, suspending stops the loss)',
      },
      {
        role: 'ml-engineering',
        decision: 'Harden outputs for every client or only for the suspect keys',
      },
      {
        role: 'legal-privacy',
        decision: 'Preserve evidence for litigation and notify the partner under the contract',
      },
      {
        role: 'executive',
        decision: 'Determine materiality (starts the SEC clock)',
        clock: 'sec-8k-item105',
      },
      {
        role: 'security',
        decision: 'Early warning to the CSIRT if the service is essential',
        clock: 'nis2-early-warning',
      },
    ],
    questions: [
      'At what point would you accept throttling an honest partner to stop a thief?',
      'Which evidence proves a stolen copy was trained on your answers?',
      'Who can approve rounding scores for every client, and how fast?',
    ],
  },
  evasion: {
    scenario: 'evasion',
    title: 'Fraud-model evasion',
    premise:
      'Fraudsters probe the card-fraud model with small changes to transactions until it approves them.',
    drill: 'evasion',
    atlas: [ATLAS.evadeModel, ATLAS.craftAdversarialData],
    regulations: ['gdpr', 'nis2'],
    injects: [
      {
        atMinutes: 0,
        text: 'aisoc raises a black-box evasion alert: one key sends near-identical transactions.',
        to: ['security'],
      },
      {
        atMinutes: 15,
        text: 'Chargebacks rise 4x on transactions the model approved in the last hour.',
        to: ['ml-engineering', 'executive'],
      },
      {
        atMinutes: 30,
        text: 'The key belongs to a merchant integration used by 2,000 honest shops.',
        to: ['communications', 'security'],
      },
      {
        atMinutes: 45,
        text: "Customers' card data appears in the attacker's queries.",
        to: ['legal-privacy'],
      },
    ],
    briefs: {
      security:
        'Contain without cutting off honest merchants; collect the adversarial inputs as evidence.',
      'ml-engineering':
        'Decide on a fallback rule or a stricter threshold; plan adversarial retraining.',
      'legal-privacy': 'Decide whether the queries amount to a personal data breach.',
      ...commonBriefs,
    },
    decisions: [
      {
        role: 'communications',
        decision: 'Holding statement for merchants whose transactions the fallback declines',
      },
      {
        role: 'security',
        decision: 'Suspend the key, or isolate the model to a stricter fallback',
      },
      {
        role: 'ml-engineering',
        decision: 'Roll back, re-threshold or retrain; who validates before redeploy',
      },
      {
        role: 'legal-privacy',
        decision: 'Notify the supervisory authority of a breach',
        clock: 'gdpr-art33',
      },
      { role: 'executive', decision: 'Accept the fraud loss of a stricter fallback for how long' },
    ],
    questions: [
      'How many queries did the attacker need, and how many did we let through before containment?',
      'Which honest merchants would a key suspension hurt, and how do we tell them?',
    ],
  },
  poisoning: {
    scenario: 'poisoning',
    title: 'Data poisoning behind a precision drop',
    premise:
      "The credit model's precision dropped after the nightly retrain. A vendor data feed changed last week.",
    drill: 'poisoning',
    atlas: [ATLAS.poisonTrainingData, ATLAS.erodeModelIntegrity],
    regulations: ['gdpr', 'eu-ai-act'],
    injects: [
      {
        atMinutes: 0,
        text: "aisoc's performance monitor alerts: precision down 18 % on labelled feedback.",
        to: ['ml-engineering', 'security'],
      },
      {
        atMinutes: 15,
        text: "The data audit quarantines 3 % of last week's rows: flipped labels and a trigger pattern.",
        to: ['ml-engineering'],
      },
      {
        atMinutes: 30,
        text: 'Impact analysis: 12,000 decisions served by the poisoned version, 900 would flip.',
        to: ['legal-privacy', 'executive'],
      },
      {
        atMinutes: 50,
        text: 'A journalist asks about loan refusals in one postcode.',
        to: ['communications'],
      },
    ],
    briefs: {
      security: 'Freeze the pipeline, preserve the poisoned snapshot, trace the vendor feed.',
      'ml-engineering':
        'Roll back to the known-good version after validation; retrain on audited data.',
      'legal-privacy':
        'Decide whether the AI Act serious-incident duty and GDPR Art. 22 reviews apply to the 900 people.',
      ...commonBriefs,
    },
    decisions: [
      { role: 'communications', decision: 'Answer to the journalist, agreed with Legal' },
      {
        role: 'ml-engineering',
        decision: 'Roll back now, or wait for validation of the known-good version',
      },
      { role: 'security', decision: 'Freeze the training pipeline and the vendor feed' },
      {
        role: 'legal-privacy',
        decision: 'Report a serious incident of a high-risk system',
        clock: 'ai-act-art73-general',
      },
      {
        role: 'legal-privacy',
        decision: 'Inform the people whose decisions flip',
        clock: 'gdpr-art34',
      },
      { role: 'executive', decision: 'Re-decide the flipped applications, and at whose cost' },
    ],
    questions: [
      'Which data snapshot trained the poisoned version, and who approved it?',
      'How do we prove to the regulator which decisions the poisoned model made?',
    ],
  },
  healthcare: {
    scenario: 'healthcare',
    title: 'A tampered triage model on a forensic-ready healthcare platform',
    premise:
      'The emergency-triage model of a healthcare startup starts under-scoring chest-pain patients. Its served file no longer matches the registry.',
    drill: 'tampering',
    atlas: [ATLAS.manipulateModel, ATLAS.erodeModelIntegrity],
    regulations: ['hipaa', 'gdpr', 'eu-ai-act'],
    injects: [
      {
        atMinutes: 0,
        text: "aisoc's integrity monitor: the served artifact's digest differs from the approved one.",
        to: ['security', 'ml-engineering'],
      },
      {
        atMinutes: 10,
        text: 'The playbook isolated the model to the rule-based fallback; clinicians ask why scores changed.',
        to: ['communications'],
      },
      {
        atMinutes: 25,
        text: 'Impact: 340 patients triaged by the tampered model, 41 under-triaged.',
        to: ['legal-privacy', 'executive'],
      },
      {
        atMinutes: 40,
        text: "One under-triaged patient died; the family's lawyer asks for the records.",
        to: ['legal-privacy', 'executive'],
      },
    ],
    briefs: {
      security:
        'Prove what served when: ledger, checkpoints, evidence bundle for an outside auditor.',
      'ml-engineering': 'Restore the approved version; diff the tampered file against it.',
      'legal-privacy': 'HIPAA breach analysis, GDPR notification, and the AI Act death clock.',
      ...commonBriefs,
    },
    decisions: [
      {
        role: 'ml-engineering',
        decision: 'Which version is restored, and its validation before it serves patients',
      },
      {
        role: 'communications',
        decision: 'What clinicians are told about the fallback scores, and by whom',
      },
      { role: 'security', decision: 'Export a signed evidence bundle to the auditor' },
      {
        role: 'legal-privacy',
        decision: 'Report the death to the market surveillance authority',
        clock: 'ai-act-art73-death',
      },
      { role: 'legal-privacy', decision: 'Notify the supervisory authority', clock: 'gdpr-art33' },
      { role: 'legal-privacy', decision: 'Notify affected patients', clock: 'hipaa-breach' },
      { role: 'executive', decision: 'Keep the fallback or suspend the triage service' },
    ],
    questions: [
      'Can we show a sceptical auditor, with no access to our systems, which version answered each patient?',
      'Who re-reviews the 41 under-triaged patients, and by when?',
    ],
  },
  'supply-chain': {
    scenario: 'supply-chain',
    title: 'A malicious model file from a public hub',
    premise:
      'An engineer downloads a fine-tuned model from a public hub; its pickle runs code on load.',
    drill: 'malicious-file',
    atlas: [ATLAS.supplyChainModel, ATLAS.unsafeAiArtifacts],
    regulations: ['nis2', 'sec-8k'],
    injects: [
      {
        atMinutes: 0,
        text: "aisoc's scanner quarantines the version at approval: GLOBAL os.system.",
        to: ['security', 'ml-engineering'],
      },
      {
        atMinutes: 15,
        text: 'The same file was loaded last week on a training server, outside the registry.',
        to: ['security'],
      },
      {
        atMinutes: 30,
        text: 'Lineage: two fine-tuned descendants serve three endpoints.',
        to: ['ml-engineering', 'executive'],
      },
    ],
    briefs: {
      security: 'Treat the training server as compromised: isolate, image, rotate its credentials.',
      'ml-engineering':
        'Find every descendant through lineage; roll each endpoint back to a clean version.',
      'legal-privacy': 'Decide whether the compromise is a significant incident under NIS2.',
      ...commonBriefs,
    },
    decisions: [
      {
        role: 'legal-privacy',
        decision: 'Whether the compromise is a significant incident (starts NIS2 clocks)',
      },
      {
        role: 'communications',
        decision: 'Internal notice to every team that pulls models from public hubs',
      },
      { role: 'security', decision: 'Early warning to the CSIRT', clock: 'nis2-early-warning' },
      { role: 'ml-engineering', decision: 'Which endpoints to roll back, in what order' },
      { role: 'executive', decision: 'Determine materiality', clock: 'sec-8k-item105' },
    ],
    questions: [
      'Which of our models came from outside, and which were signed?',
      'How would we learn that a base model we fine-tuned was compromised?',
    ],
  },
};
