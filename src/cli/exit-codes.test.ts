import { describe, expect, it } from 'vitest';
import { AppError } from '../core/index.js';
import { ExitCodes, exitCodeFor } from './exit-codes.js';

describe('CLI exit codes for admin API refusals', () => {
  it('exits 3 (verification failed) when a deploy lacks its required validation (issue 15)', () => {
    const refused = new AppError(
      'REGISTRY_VALIDATION_REQUIRED',
      'credit@2 has no validation; run `aisoc registry validate credit 2 …` first',
      { status: 422 },
    );
    expect(exitCodeFor(refused)).toBe(ExitCodes.VERIFICATION_FAILED);
    expect(ExitCodes.VERIFICATION_FAILED).toBe(3);
  });
});
