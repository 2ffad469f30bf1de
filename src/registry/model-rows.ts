import type { Kysely } from 'kysely';
import type { RegistryDatabase } from './schema.js';
import { json, toModel, toVersion } from './row-mapping.js';
import type { Model, ModelVersion } from './types.js';

/** Insert-only rows of models and their versions. */
export interface ModelRows {
  insertModel(m: Model): Promise<void>;
  model(by: { id: string } | { name: string }): Promise<Model | undefined>;
  models(): Promise<Model[]>;
  insertVersion(v: ModelVersion): Promise<void>;
  version(id: string): Promise<ModelVersion | undefined>;
  versionByName(modelId: string, version: string): Promise<ModelVersion | undefined>;
  versions(modelId: string): Promise<ModelVersion[]>;
}

export function createModelRows(db: Kysely<RegistryDatabase>): ModelRows {
  return {
    insertModel: async (m) => {
      await db
        .insertInto('registry_models')
        .values({
          id: m.id,
          name: m.name,
          owner: m.owner,
          description: m.description,
          criticality: m.criticality,
          data_classification: m.dataClassification,
          created_at: m.createdAt,
          created_by: m.createdBy,
        })
        .execute();
    },
    model: async (by) => {
      const q = db.selectFrom('registry_models').selectAll();
      const row = await (
        'id' in by ? q.where('id', '=', by.id) : q.where('name', '=', by.name)
      ).executeTakeFirst();
      return row && toModel(row);
    },
    models: async () =>
      (await db.selectFrom('registry_models').selectAll().orderBy('name').execute()).map(toModel),
    insertVersion: async (v) => {
      await db
        .insertInto('registry_model_versions')
        .values({
          id: v.id,
          model_id: v.modelId,
          version: v.version,
          manifest_digest: v.manifestDigest,
          files: json(v.files),
          location: v.location,
          upstream: v.upstream,
          signature: v.signature,
          created_at: v.createdAt,
          created_by: v.createdBy,
        })
        .execute();
    },
    version: async (id) => {
      const row = await db
        .selectFrom('registry_model_versions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toVersion(row);
    },
    versionByName: async (modelId, version) => {
      const row = await db
        .selectFrom('registry_model_versions')
        .selectAll()
        .where('model_id', '=', modelId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toVersion(row);
    },
    versions: async (modelId) =>
      (
        await db
          .selectFrom('registry_model_versions')
          .selectAll()
          .where('model_id', '=', modelId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toVersion),
  };
}
