import { Option, type Command } from 'commander';
import { ROLES, type IdentityView } from '../../identity/index.js';
import { adminClientFrom } from '../context.js';
import { printJson, printTable, writeOut } from '../output.js';

const COLUMNS = ['name', 'kind', 'role', 'state', 'tokenPrefix', 'createdAt', 'createdBy'];
const path = (name: string) => `/api/v1/users/${encodeURIComponent(name)}`;

function printToken(result: { identity: IdentityView; token: string }, verb: string): void {
  const { identity } = result;
  writeOut(
    `${verb} ${identity.kind} ${identity.name} (role ${identity.role})\n` +
      `token (shown once; keep it in a 0600 file and pass --token-file): ${result.token}\n`,
  );
}

/** `aisoc users add|list|rotate|revoke` and `aisoc whoami` (docs/identity.md). */
export function registerUsersCommands(program: Command): void {
  program
    .command('whoami')
    .description('the identity, role and permissions of the token in use')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const me = await adminClientFrom(command).get<{
        name: string;
        kind: string;
        role: string;
        permissions: string[];
      }>('/api/v1/whoami');
      if (opts.json) return printJson(me);
      writeOut(`${me.name} (${me.kind}, role ${me.role}): ${me.permissions.join(', ')}\n`);
    });

  const users = program
    .command('users')
    .description('named users and service accounts with their own tokens (admin role)');
  users
    .command('add <name>')
    .description('add a user (or a service account); its token is printed once')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .option('--service', 'a service account (automation) rather than a person')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, command: Command) => {
      const result = await adminClientFrom(command).post<{
        identity: IdentityView;
        token: string;
      }>('/api/v1/users', { name, role: opts.role, service: opts.service === true });
      if (opts.json) return printJson(result);
      printToken(result, 'added');
    });
  users
    .command('list')
    .description('list users and service accounts (never their tokens)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { users: list } = await adminClientFrom(command).get<{ users: IdentityView[] }>(
        '/api/v1/users',
      );
      if (opts.json) return printJson(list);
      printTable(list as unknown as Record<string, unknown>[], COLUMNS);
    });
  users
    .command('rotate <name>')
    .description('issue a new token; the old one stops working at once')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      const result = await adminClientFrom(command).post<{
        identity: IdentityView;
        token: string;
      }>(`${path(name)}/rotate`, {});
      if (opts.json) return printJson(result);
      printToken(result, 'rotated');
    });
  users
    .command('revoke <name>')
    .description('revoke for good: the token stops working and the name is not reused')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      const identity = await adminClientFrom(command).post<IdentityView>(
        `${path(name)}/revoke`,
        {},
      );
      if (opts.json) return printJson(identity);
      writeOut(`revoked ${identity.kind} ${identity.name} at ${identity.revokedAt}\n`);
    });
}
