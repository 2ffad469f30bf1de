import type { Permission } from '../identity/index.js';

const R = '/api/v1/registry';

/**
 * The permission every admin route needs, keyed by `METHOD path` as the route was declared.
 * A route missing here is refused to everyone but the admin role (fail closed), and a test
 * walks the route table so that none is missing.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'GET /api/v1/whoami': 'read',
  'GET /api/v1/openapi.json': 'read',
  // The console (issue 13): overview, live stream, drills (running one is for admins).
  'GET /api/v1/console/overview': 'read',
  'GET /api/v1/live': 'read',
  'GET /api/v1/drills': 'read',
  'POST /api/v1/drills': 'drills.run',
  'GET /api/v1/users': 'users.manage',
  'POST /api/v1/users': 'users.manage',
  'GET /api/v1/users/:name': 'users.manage',
  'POST /api/v1/users/:name/rotate': 'users.manage',
  'POST /api/v1/users/:name/revoke': 'users.manage',

  'POST /api/v1/keys': 'keys.write',
  'GET /api/v1/keys': 'read',
  'GET /api/v1/keys/:id': 'read',
  'GET /api/v1/actions': 'read',
  'POST /api/v1/actions': 'actions.write',
  'POST /api/v1/actions/:id/lift': 'actions.write',

  'GET /api/v1/ledger/public-key': 'read',
  'GET /api/v1/ledger/:stream/checkpoint': 'read',
  'GET /api/v1/ledger/:stream/entries': 'read',
  'GET /api/v1/ledger/:stream/proof/inclusion': 'read',
  'GET /api/v1/ledger/:stream/proof/consistency': 'read',
  // Verification reads and recomputes; it changes nothing.
  'POST /api/v1/ledger/:stream/verify': 'read',

  'GET /api/v1/events': 'read',

  // privacy (issue 19): reading clear values also needs privacy.read, checked in the route.
  'POST /api/v1/privacy/erase': 'privacy.manage',
  'POST /api/v1/privacy/export': 'privacy.manage',
  'POST /api/v1/privacy/rotate-kek': 'privacy.manage',
  'GET /api/v1/privacy/status': 'read',
  'GET /api/v1/detectors': 'read',
  'GET /api/v1/alerts': 'read',
  'POST /api/v1/feedback': 'data.write',
  'GET /api/v1/performance': 'read',
  'GET /api/v1/drift/:model': 'read',

  'GET /api/v1/incidents': 'read',
  'GET /api/v1/incidents/metrics': 'read',
  'GET /api/v1/incidents/:id': 'read',
  'POST /api/v1/incidents/:id/assign': 'incidents.write',
  'POST /api/v1/incidents/:id/notes': 'incidents.write',
  'POST /api/v1/incidents/:id/severity': 'incidents.write',
  'POST /api/v1/incidents/:id/phase': 'incidents.write',
  'POST /api/v1/incidents/:id/merge': 'incidents.write',
  'POST /api/v1/incidents/:id/split': 'incidents.write',
  'POST /api/v1/incidents/:id/lift': 'actions.write',
  'GET /api/v1/incidents/:id/actions': 'read',
  'GET /api/v1/approvals': 'read',
  'POST /api/v1/approvals/:id': 'approvals.decide',
  'GET /api/v1/tasks': 'read',
  'POST /api/v1/tasks/:id/done': 'incidents.write',
  'GET /api/v1/playbooks': 'read',
  // Validation parses the YAML it is given and stores nothing.
  'POST /api/v1/playbooks/validate': 'read',
  'POST /api/v1/playbooks/:id/run': 'incidents.write',
  'GET /api/v1/runs': 'read',
  'GET /api/v1/runs/:id': 'read',
  'GET /api/v1/evidence': 'read',
  'GET /api/v1/evidence/:digest/content': 'evidence.read',
  // False positives: disposing lifts the incident's actions.
  'POST /api/v1/incidents/:id/dispose': 'actions.write',
  'GET /api/v1/suppressions': 'read',
  'POST /api/v1/suppressions/:id/revoke': 'incidents.write',
  // Forensics and reports (issue 12): a bundle carries evidence content.
  'POST /api/v1/incidents/:id/evidence': 'incidents.write',
  'POST /api/v1/incidents/:id/evidence/bundle': 'evidence.read',
  'GET /api/v1/incidents/:id/report': 'read',
  'GET /api/v1/incidents/:id/export': 'read',
  'POST /api/v1/incidents/:id/send': 'incidents.write',
  'GET /api/v1/incidents/:id/clocks': 'read',
  // The console's case view (issue 13): impact attaches its result as evidence.
  'POST /api/v1/incidents/:id/impact': 'incidents.write',
  'GET /api/v1/incidents/:id/custody': 'read',

  [`GET ${R}/models`]: 'read',
  [`POST ${R}/models`]: 'registry.write',
  [`GET ${R}/models/:model`]: 'read',
  [`POST ${R}/models/:model/versions`]: 'registry.write',
  [`GET ${R}/models/:model/versions/:version`]: 'read',
  [`POST ${R}/models/:model/versions/:version/approve`]: 'registry.approve',
  [`POST ${R}/models/:model/versions/:version/quarantine`]: 'registry.write',
  [`POST ${R}/models/:model/versions/:version/revoke`]: 'registry.write',
  [`POST ${R}/models/:model/versions/:version/deploy`]: 'registry.write',
  [`POST ${R}/models/:model/versions/:version/fingerprint`]: 'registry.write',
  // The validation gate (`registry validate`): scores both versions on a registered snapshot.
  [`POST ${R}/models/:model/versions/:version/validate`]: 'registry.write',
  [`GET ${R}/models/:model/versions/:version/validation`]: 'read',
  [`POST ${R}/models/:model/rollback`]: 'registry.write',
  [`GET ${R}/models/:model/deployments`]: 'read',
  [`GET ${R}/deployments/:endpoint`]: 'read',
  [`POST ${R}/datasets`]: 'registry.write',
  [`POST ${R}/datasets/:dataset/snapshots`]: 'registry.write',
  [`GET ${R}/datasets`]: 'read',
  [`POST ${R}/datasets/:dataset/snapshots/:label/approve`]: 'registry.approve',
  [`POST ${R}/datasets/:dataset/snapshots/:label/quarantine`]: 'registry.write',
  [`POST ${R}/datasets/:dataset/snapshots/:label/revoke`]: 'registry.write',
  [`POST ${R}/runs`]: 'registry.write',
  [`GET ${R}/lineage/snapshots/:dataset/:label`]: 'read',
  [`GET ${R}/lineage/endpoints/:endpoint`]: 'read',
  [`GET ${R}/lineage/models/:model/:version`]: 'read',
  [`GET ${R}/inventory`]: 'read',
  [`GET ${R}/threat-model`]: 'read',

  'POST /api/v1/data/audit': 'data.write',
  [`POST ${R}/models/:model/artifacts`]: 'registry.write',
  // Artifact access audit (issue 20): each read is written to the audit ledger.
  [`GET ${R}/models/:model/versions/:version/file`]: 'artifacts.read',
  [`POST ${R}/access-log`]: 'registry.write',
};

/** The permission a declared route needs, or undefined when the route is not in the table. */
export function permissionFor(method: string, path: string): Permission | undefined {
  return ROUTE_PERMISSIONS[`${method} ${path}`];
}
