import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { registryError } from '../errors.js';

/** The parts of MITRE ATLAS the threat model uses: technique and mitigation names, and links. */
export interface AtlasCatalog {
  version: string;
  techniques: ReadonlyMap<string, string>;
  /** Mitigations by technique id: the ATLAS mitigations that list the technique. */
  mitigations: ReadonlyMap<string, readonly { id: string; name: string }[]>;
}

const AtlasSchema = z.object({
  version: z.union([z.string(), z.number()]),
  matrices: z
    .array(
      z.object({
        techniques: z.array(z.object({ id: z.string(), name: z.string() })),
        mitigations: z
          .array(
            z.object({
              id: z.string(),
              name: z.string(),
              techniques: z.array(z.object({ id: z.string() })).default([]),
            }),
          )
          .default([]),
      }),
    )
    .min(1),
});

/** Builds the catalogue from ATLAS.yaml's parsed value (mitre-atlas/atlas-data `dist/ATLAS.yaml`). */
export function atlasCatalog(value: unknown): AtlasCatalog {
  const parsed = AtlasSchema.safeParse(value);
  if (!parsed.success)
    throw registryError(
      'REGISTRY_INPUT_INVALID',
      `ATLAS data: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  const techniques = new Map<string, string>();
  const mitigations = new Map<string, { id: string; name: string }[]>();
  for (const m of parsed.data.matrices) {
    for (const t of m.techniques) techniques.set(t.id, t.name);
    for (const mit of m.mitigations)
      for (const t of mit.techniques)
        mitigations.set(t.id, [...(mitigations.get(t.id) ?? []), { id: mit.id, name: mit.name }]);
  }
  return { version: String(parsed.data.version), techniques, mitigations };
}

/** Reads and parses an ATLAS.yaml file. */
export async function loadAtlasCatalog(path: string): Promise<AtlasCatalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw registryError(
      'REGISTRY_INPUT_INVALID',
      `cannot read ATLAS data at ${path}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return atlasCatalog(parse(text) as unknown);
}
