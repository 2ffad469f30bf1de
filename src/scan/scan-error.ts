import { AppError } from '../core/index.js';
import { ScanErrorCodes } from './errors.js';

/** Thrown inside a scanner when the input is broken; scan() turns it into an `error` verdict. */
export class ScanFormatError extends AppError {
  constructor(message: string, details?: unknown) {
    super(ScanErrorCodes.SCAN_FORMAT_INVALID, message, { status: 422, details });
  }
}

/** Thrown inside a scanner when a bound (size, ratio, depth, ops, time) is hit. */
export class ScanLimitError extends AppError {
  constructor(message: string, details?: unknown) {
    super(ScanErrorCodes.SCAN_LIMIT_EXCEEDED, message, { status: 422, details });
  }
}
