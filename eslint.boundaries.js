// The dependency table of docs/architecture.md, checked by `npm run lint` (issue 16): a module
// under src/ may import only the modules its row names, and only through their index.ts. ESLint's
// own no-restricted-imports does it (no plugin to keep up to date); tests are exempt (they
// reach into other modules to set up fixtures).
const MAY_IMPORT = {
  core: [],
  config: ['core'],
  store: ['core'],
  bus: ['core'],
  ledger: ['core', 'store'],
  scan: ['core'],
  identity: ['core', 'store'],
  registry: ['core', 'store', 'ledger', 'scan'],
  serve: ['core'],
  gateway: ['core', 'config', 'store', 'bus', 'ledger', 'serve'],
  detect: ['core', 'store', 'bus'],
  respond: ['core', 'store', 'bus', 'ledger'],
  forensics: ['core', 'store', 'ledger', 'registry', 'serve'],
  report: ['core', 'store', 'forensics'],
  drill: ['core'],
  api: ['core', 'config', 'store', 'bus', 'ledger', 'scan', 'identity', 'registry', 'serve', 'gateway', 'detect', 'respond', 'forensics', 'report', 'drill'],
  cli: ['core', 'config', 'api', 'app'],
  app: null, // the composition root: everything
};

const MODULES = Object.keys(MAY_IMPORT);

/**
 * Today's imports that break the table, listed so that no new one slips in. Each is a debt:
 * the CLI reads the database and the ledger directly for commands that work with the server
 * down (ledger verify, registry validate), which the table does not foresee yet.
 */
export const KNOWN_VIOLATIONS = [];

export function boundaries() {
  return MODULES.map((module) => {
    const allowed = MAY_IMPORT[module];
    const forbidden = allowed === null ? [] : MODULES.filter((m) => m !== module && !allowed.includes(m));
    const patterns = [
      {
        regex: `^(\\.\\./)+(${MODULES.filter((m) => m !== module).join('|')})/(?!index\\.js$).+`,
        message: 'import another module only through its index.ts (docs/architecture.md)',
      },
    ];
    if (forbidden.length > 0)
      patterns.push({
        regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
        message: `${module} may import only ${allowed.length ? allowed.join(', ') : 'nothing internal'} (docs/architecture.md)`,
      });
    return {
      files: [`src/${module}/**/*.ts`],
      ignores: ['**/*.test.ts', ...KNOWN_VIOLATIONS],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  });
}
