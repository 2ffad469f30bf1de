/**
 * Bench target (a): a model server that answers every POST with the same KServe V2 answer.
 * It reads the body (as a real server must) but does no work, so what the targets add on top
 * of it is the proxy's own cost.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failChild, serveAsChild } from './child-process.js';
import { RESPONSE_BODY } from './fixture.js';

const answer = Buffer.from(RESPONSE_BODY);
const headers = { 'content-type': 'application/json', 'content-length': answer.length };
let served = 0;

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    served++;
    res.writeHead(200, headers);
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.on('error', failChild);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveAsChild(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    server.close();
    return { served };
  });
});
