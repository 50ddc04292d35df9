import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { listen, onShutdown, writeReady } from './support/child-process.js';

/**
 * The baseline for the HTTP benchmark: the same express version on the same machine in the
 * same run, one JSON route and nothing else. Prints `{"port":N}` on stdout when ready.
 */
const app = express();
app.disable('x-powered-by');
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});

let server: Server | null = null;
const stop = onShutdown(async () => {
  if (server) {
    const s = server;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

listen(app, '127.0.0.1')
  .then((s) => {
    server = s;
    server.keepAliveTimeout = 65_000;
    writeReady({ port: (s.address() as AddressInfo).port });
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench bare-server failed: ${(error as Error)?.stack ?? String(error)}\n`);
    stop(1);
  });
