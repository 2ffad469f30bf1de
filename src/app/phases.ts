/** The roles one `aisoc serve` process can take; all of them is the embedded single process. */
export const ROLES = ['gateway', 'detect', 'respond', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a start-up phase gives: what later phases use, and how to undo it. */
export interface Phase<H> {
  handle: H;
  close(): Promise<void>;
}

/** Ordered start-up: phases run in order; `close` undoes them in the reverse order. */
export interface Phases {
  run<H>(name: string, start: () => Promise<Phase<H>>): Promise<H>;
  /** Something to undo at shutdown that is not a phase of its own. */
  defer(close: () => Promise<void>): void;
  /** The phases started so far, in order (for the start-up log and tests). */
  started(): string[];
  close(): Promise<void>;
}

export function createPhases(log: (line: string) => void): Phases {
  const closers: { name: string; close: () => Promise<void> }[] = [];
  const names: string[] = [];
  return {
    async run(name, start) {
      const phase = await start();
      names.push(name);
      closers.push({ name, close: phase.close });
      return phase.handle;
    },
    defer(close) {
      closers.push({ name: names.at(-1) ?? 'start', close });
    },
    started: () => [...names],
    async close() {
      for (const { name, close } of closers.reverse())
        await close().catch((e) => log(`shutdown (${name}): ${(e as Error).message}`));
      closers.length = 0;
    },
  };
}

/** Parses `--role gateway,detect`: every name known, none twice; `all` or nothing means all. */
export function parseRoles(value: string | undefined): Role[] {
  if (value === undefined || value.trim() === '' || value.trim() === 'all') return [...ROLES];
  const out: Role[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (!(ROLES as readonly string[]).includes(name))
      throw new Error(`unknown role "${name}" (roles: ${ROLES.join(', ')}, or all)`);
    if (!out.includes(name as Role)) out.push(name as Role);
  }
  return out;
}
