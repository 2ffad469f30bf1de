import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase, type SqliteOptions } from './sqlite-open.js';
import {
  toBuffer,
  toWireError,
  type SqliteQueryRequest,
  type SqliteThreadReply,
} from './sqlite-thread-protocol.js';

// The store's SQLite connection, owned by this thread so that a query waiting on another
// process's lock (busy_timeout) never blocks the main thread's event loop.

const port = parentPort!;
const send = (reply: SqliteThreadReply) => port.postMessage(reply);

try {
  const db = openSqliteDatabase(workerData as SqliteOptions);
  port.on('message', (m: SqliteQueryRequest | { t: 'close' }) => {
    if ('t' in m) {
      db.close();
      port.close();
      return;
    }
    try {
      const stmt = db.prepare(m.sql);
      const parameters = m.parameters.map(toBuffer);
      if (stmt.reader) {
        send({ t: 'result', id: m.id, rows: stmt.all(parameters) as unknown[] });
      } else {
        const { changes, lastInsertRowid } = stmt.run(parameters);
        send({ t: 'result', id: m.id, rows: [], changes, lastInsertRowid });
      }
    } catch (e) {
      send({ t: 'error', id: m.id, error: toWireError(e) });
    }
  });
  send({ t: 'ready' });
} catch (e) {
  send({ t: 'fatal', error: toWireError(e) });
}
