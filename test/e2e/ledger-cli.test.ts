import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCheckpoint,
  createLedgerKey,
  createLedgerWriter,
  getCheckpoint,
  hashLeaf,
  merkleRoot,
  parseCosignerKey,
  parseNote,
  readEntries,
  signCheckpoint,
  verifyCosignature,
  type LedgerKey,
} from '../../src/ledger/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { runCli as aisoc } from '../support/cli.js';
import { cliCommand } from '../support/cli-bundle.js';

describe('aisoc ledger verify against a pinned key and witnessed checkpoints', () => {
  let dir: string;
  let store: Store;
  let key: LedgerKey & { path: string };
  let cfg: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-ledger-cli-'));
    const config = { driver: 'sqlite' as const, path: join(dir, 'aisoc.db') };
    store = await createStore(config);
    await store.migrate();
    key = await createLedgerKey(dir, 'aisoc.local/ledger');
    const writer = await createLedgerWriter({
      store: config,
      streams: ['audit'],
      key,
      origin: 'aisoc.local/ledger',
    });
    for (let i = 0; i < 30; i++) await writer.appendDurable('audit', { i });
    await writer.close();
    await writeFile(
      join(dir, 'aisoc.yaml'),
      `dataDir: ${dir}\nstore: { driver: sqlite, path: ${config.path} }\nledger: { keyFile: ${key.path} }\n`,
    );
    cfg = ['-c', join(dir, 'aisoc.yaml')];
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('catches a truncated tail re-signed with a swapped key, and unsigned entries', async () => {
    const witness = join(dir, 'witness.txt');
    const pub = join(dir, 'ledger.pub');
    const exported = await aisoc([
      ...cfg,
      'ledger',
      'export-checkpoints',
      witness,
      '--stream',
      'audit',
    ]);
    expect(exported.code).toBe(0);
    await writeFile(pub, (await aisoc([...cfg, 'ledger', 'public-key'])).stdout);
    const pinned = ['ledger', 'verify', '--stream', 'audit', '--public-key', pub];
    const ok = await aisoc([...cfg, ...pinned, '--witness', witness, '--known-leaves', dir]);
    expect(ok.stdout).toMatch(
      /^ok\s+audit: 30 entries, \d+ signed checkpoints verified, \d+ witnessed/,
    );
    expect(ok.code).toBe(0);

    // Someone with the database and the key file cuts the tail and re-signs with a new key.
    for (const { name } of (
      await sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`.execute(
        store.db,
      )
    ).rows)
      await sql`drop trigger ${sql.id(name)}`.execute(store.db);
    await store.db.deleteFrom('ledger_entries').where('seq', '>=', 20).execute();
    await store.db.deleteFrom('ledger_checkpoints').execute();
    const swapped = await createLedgerKey(
      join(dir, '..'),
      'aisoc.local/ledger',
      `swap-${Date.now()}.key`,
    );
    await copyFile(swapped.path, key.path);
    await rm(swapped.path);
    const local = await aisoc([...cfg, 'ledger', 'verify', '--stream', 'audit']);
    expect(local.stdout).toMatch(
      /TAMPERED audit: first bad entry seq 0: entries 0 to 19 are covered by no signed checkpoint \(LEDGER_UNSIGNED_TAIL\)/,
    );
    expect(local.code).toBe(3);
    const head = await getCheckpoint(store, 'audit'); // none left: re-sign one at 20
    expect(head).toBeNull();
    const leaves = (await readEntries(store, 'audit')).map((e) => hashLeaf(e.payload));
    const root20 = merkleRoot(leaves);
    await store.db
      .insertInto('ledger_checkpoints')
      .values({
        stream: 'audit',
        tree_size: 20,
        root_hash: root20.toString('hex'),
        time: new Date().toISOString(),
        note: signCheckpoint(
          { origin: 'aisoc.local/ledger/audit', size: 20, root: root20 },
          swapped,
        ),
      })
      .execute();

    const unpinned = await aisoc([...cfg, 'ledger', 'verify', '--stream', 'audit']);
    expect(unpinned.code).toBe(0); // the local key file vouches for its own forgery ...
    expect(unpinned.stderr).toContain('pin it with --public-key');
    const byKey = await aisoc([...cfg, ...pinned]);
    expect(byKey.stdout).toContain(
      'checkpoint at size 20 is not signed by the ledger key for origin aisoc.local/ledger/audit (LEDGER_KEY_MISMATCH)',
    );
    expect(byKey.code).toBe(3);
    const byWitness = await aisoc([
      ...cfg,
      'ledger',
      'verify',
      '--stream',
      'audit',
      '--witness',
      witness,
    ]);
    expect(byWitness.stdout).toContain('(LEDGER_KEY_MISMATCH)');
    expect(byWitness.code).toBe(3);
    const pinnedCfg = join(dir, 'pinned.yaml');
    await writeFile(
      pinnedCfg,
      (await readFile(join(dir, 'aisoc.yaml'), 'utf8')).replace(
        'ledger: { keyFile:',
        `ledger: { publicKey: "${key.verifierKey}", keyFile:`,
      ),
    );
    const byConfig = await aisoc(['-c', pinnedCfg, 'ledger', 'verify', '--stream', 'audit']);
    expect(byConfig.stdout).toContain('(LEDGER_KEY_MISMATCH)');
    expect(byConfig.code).toBe(3);
    const again = await aisoc([
      ...cfg,
      'ledger',
      'export-checkpoints',
      witness,
      '--stream',
      'audit',
    ]);
    expect(again.stderr).toContain('LEDGER_TRUNCATED');
    expect(again.code).toBe(3);
  }, 240_000); // ten CLI processes: slow on a loaded machine

  it('runs a witness that cosigns a consistent checkpoint and keeps it across restarts', async () => {
    const state = join(dir, 'witness-state.json');
    const run = () => {
      const child = spawn(
        process.execPath,
        [
          ...cliCommand(),
          ...cfg,
          'ledger',
          'witness',
          '--listen',
          '127.0.0.1:0',
          '--state',
          state,
          '--key',
          join(dir, 'witness.key'),
          '--log',
          `aisoc.local/ledger=${key.verifierKey}`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      return new Promise<{ url: string; verifierKey: string; stop: () => Promise<number | null> }>(
        (resolve) => {
          const lines: string[] = [];
          createInterface({ input: child.stdout }).on('line', (line) => {
            lines.push(line);
            if (lines.length === 2)
              resolve({
                url: lines[0]!.replace('witness listening on ', ''),
                verifierKey: lines[1]!.replace('verifier key: ', ''),
                stop: () =>
                  new Promise((r) => {
                    child.once('exit', r);
                    child.kill('SIGTERM');
                  }),
              });
          });
        },
      );
    };
    const w = await run();
    const note = signCheckpoint(
      { origin: 'aisoc.local/ledger/audit', size: 3, root: Buffer.alloc(32, 7) },
      key,
    );
    const added = await addCheckpoint(w.url, 0, [], note);
    expect(added.t).toBe('cosigned');
    const cosigned = added.t === 'cosigned' ? added.cosignature : '';
    // The printed key is a cosigner vkey (type 0x04) and the line a cosignature/v1.
    expect(w.verifierKey).toMatch(/^aisoc-witness\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/);
    expect(
      verifyCosignature(`${parseNote(note).text}\n${cosigned}`, parseCosignerKey(w.verifierKey)),
    ).toMatchObject({ version: 'v1', time: expect.any(Number) });
    // `ledger verify` takes a configured witness's checkpoints only with its cosignature: with
    // its key the witnessed size 3 is used (an empty stream is then truncated); with a key that
    // did not cosign, verify refuses the witness.
    const sub = join(dir, 'verify-witness');
    await mkdir(sub);
    const empty = await createStore({ driver: 'sqlite', path: join(sub, 'aisoc.db') });
    await empty.migrate();
    await empty.close();
    const verifyWith = async (witnessKey: string) => {
      const file = join(sub, 'aisoc.yaml');
      await writeFile(
        file,
        `dataDir: ${sub}\nstore: { driver: sqlite, path: ${join(sub, 'aisoc.db')} }\n` +
          `ledger: { publicKey: "${key.verifierKey}", witnesses: [{ url: "${w.url}", publicKey: "${witnessKey}" }] }\n`,
      );
      return aisoc(['-c', file, 'ledger', 'verify', '--stream', 'audit']);
    };
    const trusted = await verifyWith(w.verifierKey);
    expect(`${trusted.stdout}${trusted.stderr}`).toContain('LEDGER_TRUNCATED');
    const stranger = await createLedgerKey(sub, 'aisoc-witness', 'stranger.key');
    const untrusted = await verifyWith(stranger.verifierKey);
    expect(untrusted.stderr).toContain('LEDGER_WITNESS_UNTRUSTED');
    expect(untrusted.code).not.toBe(0);
    expect(await w.stop()).toBe(0);
    const restarted = await run();
    expect(await addCheckpoint(restarted.url, 0, [], note)).toEqual({ t: 'conflict', size: 3 });
    expect(restarted.verifierKey).toBe(w.verifierKey);
    await restarted.stop();
  }, 120_000);
});
