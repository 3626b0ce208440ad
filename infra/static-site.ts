// What CloudFront does in front of the API on AWS, locally: the web app's static files from web/dist
// for the paths serverless.yml routes to the web bucket, `/` as /index.html (the default root object),
// and app page paths (no file extension) rewritten to /index.html as the CloudFront Function does.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { requestUrl } from './http-server';
import type { WebBehavior } from './manifest';

export const WEB_DIST = resolve(__dirname, '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** CloudFront path patterns: `*` is any run of characters (slashes included), `?` one character. */
export function patternToRegExp(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

export function staticSite(webDir: string, behaviors: WebBehavior[]) {
  const dir = resolve(webDir);
  const compiled = behaviors.map((b) => ({ ...b, regexp: patternToRegExp(b.pathPattern) }));
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // A target that is no URL path is the API server's to refuse.
    const url = requestUrl(req.url ?? '');
    if (!url) return false;
    let uri = url.pathname;
    if (uri === '/') uri = '/index.html';
    const behavior = compiled.find((b) => b.regexp.test(uri));
    if (!behavior) return false;
    if (behavior.page && !uri.split('/').pop()!.includes('.')) uri = '/index.html';
    let path: string;
    try {
      path = decodeURIComponent(uri);
    } catch {
      const body = '{"error":{"code":"VALIDATION_FAILED","message":"Malformed percent-encoding in the path"}}';
      res.writeHead(400, {
        'content-type': 'application/json; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(body);
      return true;
    }
    const file = normalize(join(dir, path));
    // Inside the web directory itself, not merely a path that starts with its name (`dist-private/…`).
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      const missing = uri === '/index.html' ? '页面尚未构建：请先运行 npm run build:web（npm start 会自动构建）。' : 'Not Found';
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(missing);
      return true;
    }
    const immutable = uri.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };
}
