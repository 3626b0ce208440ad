// API Gateway's CORS for the HTTP API: only the configured origins (CORS_ORIGINS, comma-separated, else
// PUBLIC_URL's origin) may call the API from a browser. serverless.yml resolves it when packaging
// (`${file(./infra/cors.js):httpApiCors}`); the local stack reads that same line (infra/manifest.ts).

/** What a browser may send cross-origin: JSON bodies, a bearer token, the order's idempotency key. */
const ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'Idempotency-Key'];
const ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** How long a browser may reuse a preflight answer, in seconds. */
const MAX_AGE = 600;

/** @param {Record<string, string | undefined>} env */
function allowedOrigins(env) {
  const listed = (env.CORS_ORIGINS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const given = listed.length ? listed : env.PUBLIC_URL ? [env.PUBLIC_URL] : [];
  return given.map((value) => {
    // Origins only, spelled as browsers send them; a typo or a wildcard stops the deploy.
    let url;
    try {
      url = new URL(value);
    } catch {
      throw new Error(`CORS_ORIGINS: "${value}" is not an origin (https://host[:port])`);
    }
    if (!/^https?:$/.test(url.protocol)) throw new Error(`CORS_ORIGINS: "${value}" is not an http(s) origin`);
    return url.origin;
  });
}

/**
 * osls's `httpApi.cors`: the policy, or false when no origin is configured (then no browser on another
 * origin may call the API at all).
 * @param {Record<string, string | undefined>} env
 */
function corsPolicy(env) {
  const origins = allowedOrigins(env);
  if (!origins.length) return false;
  return { allowedOrigins: origins, allowedHeaders: ALLOWED_HEADERS, allowedMethods: ALLOWED_METHODS, maxAge: MAX_AGE };
}

module.exports = {
  // osls calls it with its own context, at package time, in the deploying environment; the local
  // manifest passes `{ env }`.
  httpApiCors: (context) => corsPolicy((context && context.env) || process.env),
};
