import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { scan } from './scan.js';
import type { Severity } from '../core/index.js';
import type { Finding, ScanPathsOptions, ScanResult } from './types.js';
import { verdictOf } from './verdict.js';

const MAX_DIR_DEPTH = 64;

type Planned = { kind: 'file'; path: string } | { kind: 'result'; result: ScanResult };

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function flagged(path: string, rule: string, severity: Severity, message: string): Planned {
  const findings: Finding[] = [{ severity, rule, message, location: {} }];
  return {
    kind: 'result',
    result: {
      path,
      format: 'unknown',
      verdict: verdictOf(findings),
      findings,
      bytes: 0,
      durationMs: 0,
    },
  };
}

/** Lists what to scan under one argument: files, with symlinks that leave the tree flagged instead of followed. */
async function plan(arg: string, out: Planned[], seen: Set<string>): Promise<void> {
  let st;
  try {
    st = await stat(arg);
  } catch (error) {
    out.push(
      flagged(arg, 'path.unreadable', 'high', `cannot read ${arg}: ${(error as Error).message}`),
    );
    return;
  }
  if (!st.isDirectory()) {
    if (seen.has(resolve(arg))) return;
    seen.add(resolve(arg));
    out.push({ kind: 'file', path: arg });
    return;
  }
  await walk(await realpath(arg), arg, 0, out, seen);
}

async function walk(
  root: string,
  dir: string,
  depth: number,
  out: Planned[],
  seen: Set<string>,
): Promise<void> {
  if (depth > MAX_DIR_DEPTH) {
    out.push(
      flagged(dir, 'path.unreadable', 'high', `folder nesting deeper than ${MAX_DIR_DEPTH}`),
    );
    return;
  }
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const st of entries) {
    const path = join(dir, st.name);
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(path);
      } catch {
        out.push(flagged(path, 'path.dangling-symlink', 'medium', 'dangling symbolic link'));
        continue;
      }
      if (!inside(root, target)) {
        out.push(
          flagged(
            path,
            'path.symlink-escape',
            'critical',
            `symbolic link points outside the scanned tree, to ${target}`,
          ),
        );
        continue;
      }
      // A link that stays inside the tree reaches a file the walk visits anyway.
    } else if (st.isDirectory()) await walk(root, path, depth + 1, out, seen);
    else if (!st.isFile()) {
      out.push(
        flagged(
          path,
          'path.special-file',
          'medium',
          'not a regular file (device, FIFO or socket); not scanned',
        ),
      );
    } else {
      const key = resolve(path);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: 'file', path });
    }
  }
}

/**
 * Scans files, folders (recursively) and archives; one result per file, in a stable order.
 * Symbolic links that leave a scanned folder are reported as malicious and not followed.
 */
export async function scanPaths(
  paths: string[],
  options: ScanPathsOptions = {},
): Promise<ScanResult[]> {
  const planned: Planned[] = [];
  const seen = new Set<string>();
  for (const p of paths) await plan(p, planned, seen);
  const results: ScanResult[] = [];
  for (const item of planned) {
    const result = item.kind === 'file' ? await scan(item.path, options) : item.result;
    results.push(result);
    options.onProgress?.(results.length, planned.length, result.path);
  }
  return results;
}
