import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import type { ScanFormat } from '../types.js';

/** Scans any supported content and says which format it was; archives use it for members. */
export type Dispatch = (ctx: ScanContext, src: ByteSource, name: string) => ScanFormat;
