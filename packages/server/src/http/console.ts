import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Problem } from './problem.js';
import { hostVisitOf } from './site.js';

/**
 * Serves the web console (packages/console, built by Vite) at /console/. Hashed files under
 * assets/ are cached for a year; every other path under /console/ that names no file is a console
 * route and gets index.html (never cached). The policy allows no inline or foreign script.
 */

// src/http and dist/http are both three levels below packages/.
export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console/dist');

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Material UI's styling engine writes <style> elements and style attributes at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export async function consoleRoutes(app: FastifyInstance, opts: { dist?: string } = {}): Promise<void> {
  const dist = opts.dist ?? CONSOLE_DIST;
  const indexFile = path.join(dist, 'index.html');

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 301));

  await app.register(
    async (ui) => {
      ui.addHook('onSend', async (_request, reply) => {
        reply.headers(SECURITY_HEADERS);
      });

      if (!fs.existsSync(indexFile)) {
        ui.get('/*', { schema: { hide: true } }, async () => {
          throw new Problem(
            'console_not_built',
            'the console is not built: run "npm run build -w @latchkey/console" (npm start does it)',
          );
        });
        return;
      }
      // Read once: a new build means a restart (npm start builds before it starts the server).
      const indexHtml = fs.readFileSync(indexFile);
      // At a tenant host the page names its tenant, so the console leaves /t/{tenant} out of its
      // paths and API calls (packages/console/src/site.ts). A slug is [a-z0-9-]: nothing to escape.
      const hostPages = new Map<string, Buffer>();
      const pageFor = (request: FastifyRequest): Buffer => {
        const visit = hostVisitOf(request);
        if (!visit) return indexHtml;
        let page = hostPages.get(visit.slug);
        if (!page) {
          const meta = `<meta name="latchkey-tenant" content="${visit.slug}">`;
          page = Buffer.from(indexHtml.toString('utf8').replace('<head>', `<head>${meta}`));
          if (hostPages.size > 10_000) hostPages.clear();
          hostPages.set(visit.slug, page);
        }
        return page;
      };
      const sendIndex = (request: FastifyRequest, reply: FastifyReply) =>
        reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(pageFor(request));

      await ui.register(fastifyStatic, {
        root: dist,
        prefix: '/',
        index: false,
        decorateReply: false,
        schemaHide: true,
        cacheControl: false,
        setHeaders: (res, file) => {
          const hashed = file.startsWith(path.join(dist, 'assets') + path.sep);
          res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
      ui.get('/', { schema: { hide: true }, prefixTrailingSlash: 'slash' }, async (request, reply) =>
        sendIndex(request, reply),
      );
      ui.setNotFoundHandler((request, reply) => {
        const pathname = request.url.split('?')[0]!;
        // A missing asset is a real 404 (an old page asking for a file of an older build).
        if ((request.method === 'GET' || request.method === 'HEAD') && !pathname.startsWith('/console/assets/'))
          return sendIndex(request, reply);
        const p = new Problem('no_route', `no console file at ${pathname}`);
        return reply.code(404).type('application/problem+json').send(p.toJSON());
      });
    },
    { prefix: '/console' },
  );
}
