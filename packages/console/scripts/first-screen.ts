// What the browser must download before the first screen: the scripts index.html names (entry and
// modulepreloads), not the chunks loaded later (the User & Company Manager).
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

export function firstScreenJs(dist = DIST): {
  files: { file: string; bytes: number; gzipBytes: number }[];
  gzipBytes: number;
} {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const urls = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map(
    (m) => m[1]!,
  );
  const files = [...new Set(urls)].map((url) => {
    const body = fs.readFileSync(path.join(dist, url.replace(/^\/console\//, '')));
    return { file: url, bytes: body.length, gzipBytes: gzipSync(body).length };
  });
  return { files, gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0) };
}
