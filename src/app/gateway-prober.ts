import type { ModelConfig } from '../config/index.js';
import { AppError } from '../core/index.js';

const failed = (message: string) => new AppError('REGISTRY_PROBE_FAILED', message, { status: 502 });

/** Where the gateway listens and the system key's secret (known once the gateway is up). */
export interface ProbeTarget {
  url: string;
  secret: string;
}

/**
 * Sends fingerprint probes through the gateway itself, as any caller would, on the route that
 * addresses the version (`/v2/models/M/versions/V/infer`, `/v1/models/M/versions/V:predict`),
 * with aisoc's system key: what is checked is what the serving path answers for that version.
 */
export function createGatewayProber(options: {
  models: readonly ModelConfig[];
  timeoutMs: number;
  target: () => ProbeTarget | undefined;
}) {
  return async (model: string, input: unknown, version: string): Promise<unknown> => {
    // A model only the registry knows is served with KServe V2 (see registryOnlyModels).
    const m = options.models.find((x) => x.id === model) ?? { protocol: 'kserve-v2' };
    const target = options.target();
    if (!target) throw failed('the gateway is not listening yet');
    const name = encodeURIComponent(model);
    const v = encodeURIComponent(version);
    if (m.protocol === 'generic-json')
      throw failed(`model "${model}" speaks generic-json, which has no version-addressed route`);
    const path =
      m.protocol === 'kserve-v2'
        ? `/v2/models/${name}/versions/${v}/infer`
        : `/v1/models/${name}/versions/${v}:predict`;
    let res: Response;
    try {
      res = await fetch(target.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw failed(`${model}@${version}: the gateway did not answer (${(error as Error).message})`);
    }
    const body = (await res.json().catch(() => null)) as { code?: string; message?: string } | null;
    if (!res.ok)
      throw failed(
        `${model}@${version}: the gateway answered ${res.status}${body?.code ? ` ${body.code}: ${body.message}` : ''}`,
      );
    return body;
  };
}
