import { ATLAS } from '../../core/index.js';
import type { AtlasCatalog } from './atlas-catalog.js';
import type { Asset, AssetKind } from './inventory.js';

export const STRIDE = [
  'Spoofing',
  'Tampering',
  'Repudiation',
  'Information disclosure',
  'Denial of service',
  'Elevation of privilege',
] as const;
export type StrideCategory = (typeof STRIDE)[number];

interface Threat {
  stride: StrideCategory;
  techniques: readonly string[];
  /** Base likelihood 1 (rare) … 5 (expected). */
  likelihood: number;
  /** What aisoc does about it. */
  control: string;
}

// STRIDE (Shostack, "Threat Modeling", 2014) per kind of asset, each threat tied to the MITRE
// ATLAS techniques that realise it. Repudiation has no ATLAS technique: it is about our records.
const THREATS: Record<AssetKind, readonly Threat[]> = {
  model: [
    {
      stride: 'Spoofing',
      techniques: [ATLAS.publishPoisonedModels, ATLAS.masquerading],
      likelihood: 2,
      control: 'register versions with OMS signatures; approve only signed versions',
    },
    {
      stride: 'Tampering',
      techniques: [
        ATLAS.supplyChainModel,
        ATLAS.manipulateModel,
        ATLAS.embedMalware,
        ATLAS.unsafeAiArtifacts,
      ],
      likelihood: 3,
      control:
        'admission scan and signature check at approval, deploy and load; integrity monitor re-hashes artifacts',
    },
    {
      stride: 'Repudiation',
      techniques: [],
      likelihood: 2,
      control: 'append-only registry and audit ledger entries for every state change',
    },
    {
      stride: 'Information disclosure',
      techniques: [ATLAS.artifactCollection, ATLAS.exfiltrationViaCyberMeans],
      likelihood: 2,
      control:
        'keep artifacts in access-controlled storage; registry records location, not contents',
    },
    {
      stride: 'Denial of service',
      techniques: [ATLAS.corruptModel],
      likelihood: 1,
      control: 'rollback to the last known-good version',
    },
    {
      stride: 'Elevation of privilege',
      techniques: [ATLAS.unsafeAiArtifacts, ATLAS.embedMalware],
      likelihood: 3,
      control: 'model-file scanner refuses code that runs on load',
    },
  ],
  endpoint: [
    {
      stride: 'Spoofing',
      techniques: [ATLAS.validAccounts, ATLAS.unsecuredCredentials],
      likelihood: 3,
      control: 'per-key authentication at the gateway; suspend or revoke keys',
    },
    {
      stride: 'Tampering',
      techniques: [ATLAS.supplyChainModel, ATLAS.erodeModelIntegrity, ATLAS.craftAdversarialData],
      likelihood: 2,
      control: 'behavioural fingerprints on remote upstreams; pin or roll back versions',
    },
    {
      stride: 'Repudiation',
      techniques: [],
      likelihood: 2,
      control: 'every inference is a hash-chained ledger entry',
    },
    {
      stride: 'Information disclosure',
      techniques: [
        ATLAS.inferMembership,
        ATLAS.invertModel,
        ATLAS.extractModel,
        ATLAS.llmDataLeakage,
      ],
      likelihood: 3,
      control: 'rate limits, extraction detection, output hardening',
    },
    {
      stride: 'Denial of service',
      techniques: [ATLAS.denialOfService, ATLAS.costHarvesting, ATLAS.spammingWithChaff],
      likelihood: 3,
      control: 'per-key rate limits; isolate to a fallback',
    },
    {
      stride: 'Elevation of privilege',
      techniques: [
        ATLAS.evadeModel,
        ATLAS.craftAdversarialData,
        ATLAS.promptInjection,
        ATLAS.jailbreak,
      ],
      likelihood: 3,
      control: 'input validation and evasion detection at the gateway',
    },
  ],
  dataset: [
    {
      stride: 'Spoofing',
      techniques: [ATLAS.publishPoisonedDatasets, ATLAS.supplyChainData],
      likelihood: 2,
      control: 'register snapshots with file digests; approve before training',
    },
    {
      stride: 'Tampering',
      techniques: [ATLAS.poisonTrainingData, ATLAS.erodeDatasetIntegrity, ATLAS.supplyChainData],
      likelihood: 3,
      control:
        'snapshot manifests (digests, row counts, schema); quarantine a snapshot and find what was trained on it',
    },
    {
      stride: 'Repudiation',
      techniques: [],
      likelihood: 2,
      control: 'snapshot registration and state changes in the audit ledger',
    },
    {
      stride: 'Information disclosure',
      techniques: [
        ATLAS.dataFromInformationRepositories,
        ATLAS.inferMembership,
        ATLAS.exfiltrationViaCyberMeans,
      ],
      likelihood: 3,
      control: 'classify data; restrict access to snapshot locations',
    },
    {
      stride: 'Denial of service',
      techniques: [ATLAS.erodeDatasetIntegrity],
      likelihood: 1,
      control: 'keep earlier snapshots to retrain from',
    },
    {
      stride: 'Elevation of privilege',
      techniques: [ATLAS.unsecuredCredentials],
      likelihood: 2,
      control: 'no credentials in data locations',
    },
  ],
  pipeline: [
    {
      stride: 'Spoofing',
      techniques: [ATLAS.validAccounts],
      likelihood: 2,
      control: 'runs recorded with the actor and code revision',
    },
    {
      stride: 'Tampering',
      techniques: [ATLAS.supplyChainSoftware, ATLAS.maliciousPackage, ATLAS.poisonTrainingData],
      likelihood: 3,
      control: 'training runs link inputs, code revision and outputs; sign outputs',
    },
    {
      stride: 'Repudiation',
      techniques: [],
      likelihood: 2,
      control: 'training runs in the audit ledger',
    },
    {
      stride: 'Information disclosure',
      techniques: [ATLAS.artifactCollection, ATLAS.dataFromLocalSystem],
      likelihood: 2,
      control: 'least-privilege build workers',
    },
    {
      stride: 'Denial of service',
      techniques: [ATLAS.machineCompromise],
      likelihood: 1,
      control: 'rebuild from recorded inputs and revision',
    },
    {
      stride: 'Elevation of privilege',
      techniques: [ATLAS.commandAndScriptingInterpreter, ATLAS.unsecuredCredentials],
      likelihood: 3,
      control: 'isolated training environments; scan dependencies',
    },
  ],
};

const IMPACT = { low: 1, medium: 2, high: 3, critical: 4 } as const;
const SECRECY = { public: 0, internal: 0, confidential: 1, restricted: 2 } as const;

/** One scored risk of one asset. */
export interface Risk {
  stride: StrideCategory;
  techniques: { id: string; name: string }[];
  likelihood: number;
  impact: number;
  score: number;
  control: string;
  mitigations: { id: string; name: string }[];
  why: string[];
}

// Facts that make a threat likelier: unsigned or unapproved versions invite tampering, a
// remote upstream cannot be re-hashed, secret data makes disclosure costlier.
function adjust(asset: Asset, t: Threat): { likelihood: number; impact: number; why: string[] } {
  let likelihood = t.likelihood;
  let impact = IMPACT[asset.criticality];
  const why: string[] = [];
  const versions = asset.facts.versions ?? [];
  if (t.stride === 'Tampering' || t.stride === 'Spoofing') {
    const known = versions.some((v) => v.state === 'approved' || v.state === 'deployed');
    const raisers: [boolean, string][] = [
      [versions.some((v) => !v.signed), 'unsigned versions'],
      [versions.length > 0 && !known, 'no known-good version to roll back to'],
      [asset.facts.remote === true, 'served remotely: files cannot be re-hashed'],
    ];
    for (const [applies, reason] of raisers) {
      if (!applies) continue;
      likelihood += 1;
      why.push(reason);
    }
  }
  if (t.stride === 'Information disclosure' && SECRECY[asset.dataClassification] > 0) {
    impact += SECRECY[asset.dataClassification];
    why.push(`${asset.dataClassification} data`);
  }
  return { likelihood: Math.min(5, likelihood), impact: Math.min(5, impact), why };
}

function techniqueName(atlas: AtlasCatalog, id: string): string {
  const name = atlas.techniques.get(id) ?? '(not in this ATLAS release)';
  const parent = id.split('.').slice(0, 2).join('.');
  return parent !== id && atlas.techniques.has(parent)
    ? `${atlas.techniques.get(parent)}: ${name}`
    : name;
}

/** Scores every STRIDE threat of an asset, highest risk first (pure). */
export function assessAsset(asset: Asset, atlas: AtlasCatalog): Risk[] {
  return THREATS[asset.kind]
    .map((t) => {
      const { likelihood, impact, why } = adjust(asset, t);
      const mitigations = new Map<string, string>();
      for (const id of t.techniques)
        for (const m of atlas.mitigations.get(id) ?? []) mitigations.set(m.id, m.name);
      return {
        stride: t.stride,
        techniques: t.techniques.map((id) => ({ id, name: techniqueName(atlas, id) })),
        likelihood,
        impact,
        score: likelihood * impact,
        control: t.control,
        mitigations: [...mitigations]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, name]) => ({ id, name })),
        why,
      };
    })
    .sort((a, b) => b.score - a.score || STRIDE.indexOf(a.stride) - STRIDE.indexOf(b.stride));
}

/** Every technique id the threat tables use (tests check each exists in ATLAS). */
export function threatTechniqueIds(): string[] {
  return [
    ...new Set(Object.values(THREATS).flatMap((ts) => ts.flatMap((t) => t.techniques))),
  ].sort();
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Renders the per-asset STRIDE × ATLAS threat model as Markdown (pure). */
export function renderThreatModel(
  assets: readonly Asset[],
  atlas: AtlasCatalog,
  options: { top?: number; generatedAt?: string } = {},
): string {
  const top = options.top ?? 3;
  const out = [
    '# Threat model',
    '',
    `${assets.length} asset(s); STRIDE × MITRE ATLAS ${atlas.version}. Risk = likelihood (1-5) × impact (1-5).${options.generatedAt ? ` Generated ${options.generatedAt}.` : ''}`,
    '',
  ];
  for (const asset of assets) {
    const risks = assessAsset(asset, atlas);
    out.push(
      `## ${asset.kind} \`${cell(asset.id)}\``,
      '',
      `Owner ${cell(asset.owner)}; criticality ${asset.criticality}; data ${asset.dataClassification}.`,
      '',
    );
    out.push(
      '| STRIDE | ATLAS techniques | likelihood | impact | risk |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const r of risks) {
      const techniques = r.techniques.map((t) => `${t.id} ${cell(t.name)}`).join('; ') || '—';
      out.push(`| ${r.stride} | ${techniques} | ${r.likelihood} | ${r.impact} | ${r.score} |`);
    }
    out.push('', '### Top risks', '');
    risks.slice(0, top).forEach((r, i) => {
      const because = r.why.length > 0 ? ` (raised by: ${r.why.join(', ')})` : '';
      out.push(
        `${i + 1}. **${r.stride}**, risk ${r.score}${because}: ${r.techniques.map((t) => `${t.id} ${t.name}`).join('; ') || 'no ATLAS technique'}.`,
      );
      out.push(`   - aisoc: ${r.control}.`);
      if (r.mitigations.length > 0)
        out.push(
          `   - ATLAS mitigations: ${r.mitigations.map((m) => `${m.id} ${m.name}`).join('; ')}.`,
        );
    });
    out.push('');
  }
  return out.join('\n');
}
