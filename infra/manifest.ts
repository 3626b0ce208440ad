// Reads serverless.yml, the one description of the functions and their triggers, so that the local
// stack serves exactly what AWS would: the same handlers, routes, stream settings and schedules.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, type Tags } from 'yaml';
import type { FilterPattern } from './filter-patterns';

export interface HttpTrigger {
  method: string;
  path: string;
}

export interface StreamTrigger {
  batchSize: number;
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  filterPatterns: FilterPattern[];
}

export interface ScheduleTrigger {
  /** `cron(…)` (AWS, six fields) or `rate(…)`. */
  expression: string;
  timezone: string;
  input: unknown;
}

export interface FunctionDef {
  name: string;
  /** Module path without extension, and the exported handler's name. */
  module: string;
  exportName: string;
  /** The function's timeout in seconds (serverless.yml's, or the provider's default). */
  timeout: number;
  http: HttpTrigger[];
  streams: StreamTrigger[];
  schedules: ScheduleTrigger[];
}

const hasToJSON = (v: unknown): v is { toJSON(): unknown } => typeof (v as { toJSON?: unknown })?.toJSON === 'function';

// CloudFormation intrinsic functions: kept as plain objects, never evaluated locally.
const cfnTags: Tags = ['Ref', 'GetAtt', 'Join', 'Sub', 'Select', 'Split', 'If', 'Equals', 'ImportValue'].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    collection: kind === 'scalar' ? undefined : kind,
    resolve: (value: unknown) => ({ [`Fn::${name}`]: hasToJSON(value) ? value.toJSON() : value }),
  })),
) as Tags;

/** Resolves the variables we use: `${env:X, 'default'}`, `${sls:stage}`, `${opt:…, 'default'}`. */
function resolveVariables(text: string, env: Record<string, string | undefined>, stage: string): string {
  return text.replace(
    /\$\{(env|opt|sls):([A-Za-z0-9_]+)(?:,\s*'([^']*)')?\}/g,
    (whole, source: string, name: string, fallback?: string) => {
      if (source === 'env') return env[name] ?? fallback ?? '';
      if (source === 'sls' && name === 'stage') return stage;
      if (source === 'opt' && name === 'stage') return stage;
      return fallback ?? whole;
    },
  );
}

type Raw = Record<string, unknown>;

export function loadManifest(file = resolve(__dirname, '..', 'serverless.yml'), env = process.env, stage = 'local'): FunctionDef[] {
  const doc = parse(resolveVariables(readFileSync(file, 'utf8'), env, stage), { customTags: cfnTags, merge: true }) as {
    functions: Record<string, Raw>;
    provider?: Raw;
  };
  const defaultTimeout = Number(doc.provider?.timeout ?? 6);
  return Object.entries(doc.functions).map(([name, fn]) => {
    const handler = String(fn.handler);
    const dot = handler.lastIndexOf('.');
    const def: FunctionDef = {
      name,
      module: handler.slice(0, dot),
      exportName: handler.slice(dot + 1),
      timeout: Number(fn.timeout ?? defaultTimeout),
      http: [],
      streams: [],
      schedules: [],
    };
    for (const event of (fn.events as Raw[] | undefined) ?? []) {
      if ('httpApi' in event) {
        const h = event.httpApi;
        // `'*'` is API Gateway's $default route: whatever no other route matches.
        const [method, path] = h === '*' ? ['ANY', '*'] : typeof h === 'string' ? h.split(/\s+/) : [(h as Raw).method, (h as Raw).path];
        def.http.push({ method: String(method).toUpperCase(), path: String(path) });
      } else if ('stream' in event) {
        const s = event.stream as Raw;
        def.streams.push({
          batchSize: Number(s.batchSize ?? 100),
          maximumRetryAttempts: Number(s.maximumRetryAttempts ?? 10000),
          bisectBatchOnFunctionError: Boolean(s.bisectBatchOnFunctionError),
          reportBatchItemFailures: s.functionResponseType === 'ReportBatchItemFailures',
          filterPatterns: (s.filterPatterns as FilterPattern[] | undefined) ?? [],
        });
      } else if ('schedule' in event) {
        // The short form `schedule: rate(5 minutes)` is a bare expression.
        const s = (typeof event.schedule === 'string' ? { rate: event.schedule } : event.schedule) as Raw;
        const rate = Array.isArray(s.rate) ? s.rate[0] : s.rate;
        def.schedules.push({ expression: String(rate), timezone: String(s.timezone ?? 'UTC'), input: s.input ?? {} });
      }
    }
    return def;
  });
}

/** A CloudFront behaviour that serves the web app's static files; `page` when page paths become /index.html. */
export interface WebBehavior {
  pathPattern: string;
  page: boolean;
}

/**
 * The paths CloudFront sends to the web bucket (serverless.yml, `WebDistribution`): the local stack serves
 * them from web/dist the same way, and everything else goes to the functions as on AWS.
 */
export function loadWebBehaviors(file = resolve(__dirname, '..', 'serverless.yml')): WebBehavior[] {
  const doc = parse(readFileSync(file, 'utf8'), { customTags: cfnTags, merge: true }) as {
    resources?: { Resources?: Record<string, { Properties?: { DistributionConfig?: { CacheBehaviors?: Raw[] } } }> };
  };
  const behaviors = doc.resources?.Resources?.WebDistribution?.Properties?.DistributionConfig?.CacheBehaviors ?? [];
  return behaviors
    .filter((b) => b.TargetOriginId === 'web')
    .map((b) => ({ pathPattern: String(b.PathPattern), page: Array.isArray(b.FunctionAssociations) && b.FunctionAssociations.length > 0 }));
}
