/**
 * The production web server `npm start` runs: Next.js behind a thin Node HTTP front, for what has to happen before
 * Next.js sees a request:
 *  - methods the Fetch API cannot represent (TRACE, TRACK, CONNECT) are answered 405 here; Next.js would fail to
 *    build a Request from them and answer 500;
 *  - X-Forwarded-For is set from the socket, so a client cannot pick the address login throttling counts, unless
 *    CTMS_TRUST_PROXY=1 says a reverse proxy in front sets it.
 */
import { createServer } from 'node:http';
import next from 'next';

const UNSERVED = new Set(['TRACE', 'TRACK', 'CONNECT']);

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const app = next({ dev: false, dir: process.cwd(), port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustProxy = process.env.CTMS_TRUST_PROXY === '1';
  const server = createServer((req, res) => {
    if (UNSERVED.has((req.method ?? '').toUpperCase())) {
      res.writeHead(405, { Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: `${req.method} is not served`, code: 'method_not_allowed' }));
      return;
    }
    if (!trustProxy) req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? 'unknown';
    void handle(req, res);
  });
  server.listen(port, () => console.log(`[serve] ready on http://localhost:${port}`));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
}

main().catch((error) => {
  console.error('[serve] could not start:', error);
  process.exit(1);
});
