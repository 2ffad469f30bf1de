import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/index.js';

function undescribed(command: Command, path: string[] = []): string[] {
  return command.commands.flatMap((c) => {
    const here = [...path, c.name()];
    return [...(c.description() ? [] : [here.join(' ')]), ...undescribed(c, here)];
  });
}

describe('aisoc --help', () => {
  it('describes every command and subcommand', async () => {
    expect(undescribed(await buildProgram())).toEqual([]);
  });
});
