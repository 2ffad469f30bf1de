import { buildCliBundle } from './cli-bundle.js';

/** Vitest global setup: one CLI bundle for the whole run, removed at the end. */
export default async function setup(): Promise<() => void> {
  return buildCliBundle();
}
