import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { registryError } from '../errors.js';
import type { ArtifactFile } from '../types.js';

/** Paths model-transparency ignores by default (its hashing config `ignore_git_paths`). */
export const DEFAULT_IGNORED_PATHS = ['.git', '.gitattributes', '.github', '.gitignore'] as const;

export interface HashModelOptions {
  /** Paths relative to the model root; a directory ignores everything under it. */
  ignorePaths?: readonly string[];
  /** Follow symbolic links (default false: a symlink is refused, as model-transparency does). */
  allowSymlinks?: boolean;
}

/** The files of a model with their digests, in OMS order, and the root digest over them. */
export interface ModelManifest {
  name: string;
  files: ArtifactFile[];
  rootDigest: string;
  ignorePaths: string[];
}

/** Splits a manifest path and checks it stays inside the model root; null when it does not. */
export function safeParts(path: string): string[] | null {
  if (path === '.') return ['.'];
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0'))
    return null;
  const parts = path.split('/');
  return parts.every((p) => p !== '' && p !== '.' && p !== '..') ? parts : null;
}

// Python orders PurePosixPath by its parts, then each part by code point; a plain string sort
// would put "a.txt" before "a/b" ('.' < '/') where Python puts it after.
function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = [...pa[i]!].map((c) => c.codePointAt(0)!);
    const y = [...pb[i]!].map((c) => c.codePointAt(0)!);
    for (let j = 0; j < Math.min(x.length, y.length); j++) if (x[j] !== y[j]) return x[j]! - y[j]!;
    if (x.length !== y.length) return x.length - y.length;
  }
  return pa.length - pb.length;
}

/** Sorts files into the order OMS lists resources (and hashes them into the root digest). */
export function sortFiles<T extends { path: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => comparePaths(a.path, b.path));
}

/** SHA-256 over the raw bytes of each digest, in OMS order: the in-toto subject digest. */
export function rootDigest(files: readonly { path: string; digest: string }[]): string {
  const hash = createHash('sha256');
  for (const f of sortFiles(files)) hash.update(Buffer.from(f.digest, 'hex'));
  return hash.digest('hex');
}

/** Streams one file through SHA-256. */
export async function hashFile(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), size };
}

function isIgnored(rel: string, ignore: readonly string[]): boolean {
  return ignore.some((p) => rel === p || rel.startsWith(`${p}/`));
}

async function kindOf(path: string, rel: string, allowSymlinks: boolean): Promise<'file' | 'dir'> {
  const link = await lstat(path);
  if (link.isSymbolicLink() && !allowSymlinks)
    throw registryError('REGISTRY_PATH_REFUSED', `${rel}: is a symbolic link (refused)`, {
      details: {
        file: rel,
        reason: 'symlink',
      },
    });
  const s = link.isSymbolicLink() ? await stat(path) : link;
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  throw registryError('REGISTRY_PATH_REFUSED', `${rel}: is neither a file nor a directory`, {
    details: {
      file: rel,
      reason: 'special file',
    },
  });
}

async function walk(root: string, rel: string, opts: Required<HashModelOptions>, out: string[]) {
  const entries = await readdir(rel === '' ? root : join(root, rel));
  for (const name of entries) {
    const child = rel === '' ? name : `${rel}/${name}`;
    if (isIgnored(child, opts.ignorePaths)) continue;
    const kind = await kindOf(join(root, child), child, opts.allowSymlinks);
    if (kind === 'dir') await walk(root, child, opts, out);
    else out.push(child);
  }
}

/**
 * Hashes a model file or directory the way OMS "files" serialization does: every regular file
 * under the root (relative POSIX path, SHA-256), ignored paths skipped, symlinks refused unless
 * allowed. A single-file model is one resource named ".".
 */
export async function hashModel(
  root: string,
  options: HashModelOptions = {},
): Promise<ModelManifest> {
  const ignorePaths = [...new Set(options.ignorePaths ?? [])];
  const opts = { ignorePaths, allowSymlinks: options.allowSymlinks ?? false };
  const abs = resolve(root);
  let kind: 'file' | 'dir';
  try {
    kind = await kindOf(abs, basename(abs), opts.allowSymlinks);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT')
      throw registryError('REGISTRY_PATH_REFUSED', `${root}: does not exist`, {
        details: {
          file: root,
          reason: 'missing',
        },
      });
    throw e;
  }
  const paths: string[] = [];
  if (kind === 'file') paths.push('.');
  else await walk(abs, '', opts, paths);
  const files: ArtifactFile[] = [];
  for (const p of paths)
    files.push({ path: p, ...(await hashFile(p === '.' ? abs : join(abs, p))) });
  const sorted = sortFiles(files);
  return { name: basename(abs), files: sorted, rootDigest: rootDigest(sorted), ignorePaths };
}

/** One difference between an expected and an actual manifest. */
export interface FileProblem {
  file: string;
  reason: 'missing' | 'unexpected' | 'digest mismatch';
}

/** Compares manifests file by file; an empty list means they match. */
export function compareFiles(
  expected: readonly { path: string; digest: string }[],
  actual: readonly { path: string; digest: string }[],
): FileProblem[] {
  const have = new Map(actual.map((f) => [f.path, f.digest]));
  const want = new Map(expected.map((f) => [f.path, f.digest]));
  const problems: FileProblem[] = [];
  for (const [path, digest] of want) {
    const got = have.get(path);
    if (got === undefined) problems.push({ file: path, reason: 'missing' });
    else if (got !== digest) problems.push({ file: path, reason: 'digest mismatch' });
  }
  for (const path of have.keys())
    if (!want.has(path)) problems.push({ file: path, reason: 'unexpected' });
  return sortFiles(problems.map((p) => ({ ...p, path: p.file }))).map(({ file, reason }) => ({
    file,
    reason,
  }));
}

/** "a.bin: digest mismatch; b.bin: missing" */
export function describeProblems(problems: readonly FileProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.reason}`).join('; ');
}
