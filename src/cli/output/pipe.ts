/**
 * Ends the process quietly when the reader of stdout goes away (`aisoc events | head -1`):
 * Node reports that as an EPIPE error on the stream, which would otherwise crash with a trace.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
