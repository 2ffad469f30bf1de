// The dependency table of docs/architecture.md, checked by `npm run lint` (issue 16): a module
// under src/ may import only the modules its row names, and only through their index.ts. ESLint's
// own no-restricted-imports does it (no plugin to keep up to date); tests are exempt (they
// reach into other modules to set up fixtures).
const CLI_OFFLINE = [
  'store',
  'ledger',
  'scan',
  'registry',
  'serve',
  'detect',
  'respond',
  'forensics',
  'drill',
  'identity',
];

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
  api: [
    'core',
    'config',
    'store',
    'bus',
    'ledger',
    'scan',
    'identity',
    'registry',
    'serve',
    'gateway',
    'detect',
    'respond',
    'forensics',
    'report',
    'drill',
  ],
  // The table says "api client or the composition root"; the CLI also runs offline work
  // (scanning, drills, ledger verification with the server down, manifests): listed here so
  // that no other module creeps in. Debt to pay by moving those commands behind app/.
  cli: ['core', 'config', 'api', 'app', ...CLI_OFFLINE],
  app: null, // the composition root: everything
};

const MODULES = Object.keys(MAY_IMPORT);

export function boundaries() {
  return MODULES.map((module) => {
    const allowed = MAY_IMPORT[module];
    const forbidden =
      allowed === null ? [] : MODULES.filter((m) => m !== module && !allowed.includes(m));
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
      ignores: ['**/*.test.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  });
}
