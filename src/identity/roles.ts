/** The roles an identity can hold, least to most trusted. */
// `privacy-officer` (issue 19) reads clear values of sealed fields; no other role does.
export const ROLES = ['viewer', 'responder', 'approver', 'privacy-officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route may need. `read` covers every read that changes nothing; the rest name the
 * state a call changes. Evidence content is apart from `read` because reading it is a
 * custody event.
 */
export const PERMISSIONS = [
  'read',
  'evidence.read',
  'actions.write',
  'incidents.write',
  'data.write',
  'registry.write',
  'approvals.decide',
  'registry.approve',
  'keys.write',
  'users.manage',
  'privacy.manage', // erase a subject, export a subject's record (sealed), rotate the KEK
  'privacy.read', // read clear values of sealed fields (each read recorded)
  'drills.run',
  'artifacts.read', // download registered model files (each read audited; issue 20)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const RESPONDER: readonly Permission[] = [
  'read',
  'evidence.read',
  'actions.write',
  'incidents.write',
  'data.write',
  'registry.write',
  'artifacts.read',
];

/**
 * The one role → permission table. An approver is a viewer who decides approvals: kept
 * apart from responder so that the one who contains and the one who approves differ.
 */
const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  responder: RESPONDER,
  // Deployers (responders) and approvers, who may inspect what they approve, read artifacts.
  approver: ['read', 'approvals.decide', 'artifacts.read'],
  'privacy-officer': ['read', 'privacy.manage', 'privacy.read'],
  // Separation of duties: the admin runs the system but does not read sealed personal data.
  admin: PERMISSIONS.filter((p) => p !== 'privacy.read'),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Every permission a role grants. */
export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
