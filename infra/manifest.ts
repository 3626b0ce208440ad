// Reads serverless.yml, the one description of the functions and their triggers, so that the local
// stack serves exactly what AWS would: the same handlers, routes, stream settings and schedules.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Tags } from 'yaml';
import { parse } from 'yaml';
import type { FilterPattern } from '../lib/runtime/filter-patterns';

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

export interface QueueTrigger {
  /** The CloudFormation logical id of the queue (`RefundsQueue`). */
  queue: string;
  batchSize: number;
  /** Seconds to gather a batch (`maximumBatchingWindow`). */
  batchWindowSeconds: number;
  reportBatchItemFailures: boolean;
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
  /** Its memory in MB (serverless.yml's, or the provider's default): what AWS bills GB-seconds by. */
  memorySize: number;
  http: HttpTrigger[];
  streams: StreamTrigger[];
  queues: QueueTrigger[];
  schedules: ScheduleTrigger[];
  /** Its `iamRoleStatements`, as written (resources unresolved: `${self:custom.tableArn}`, `!GetAtt …`). */
  iam: IamStatement[];
  /** Its own `environment` (beside the provider's). */
  environment: Record<string, unknown>;
}

export interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const hasToJSON = (v: unknown): v is { toJSON(): unknown } => typeof (v as { toJSON?: unknown })?.toJSON === 'function';

// CloudFormation intrinsic functions: kept as plain objects, never evaluated locally.
const cfnTags: Tags = ['Ref', 'GetAtt', 'Join', 'Sub', 'Select', 'Split', 'If', 'Equals', 'ImportValue'].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    collection: kind === 'scalar' ? undefined : kind,
    resolve: (value: unknown) => ({ [`Fn::${name}`]: hasToJSON(value) ? value.toJSON() : value }),
  })),
);

/** Resolves the variables we use: `${env:X, 'default'}`, `${sls:stage}`, `${opt:…, 'default'}`. */
function resolveVariables(text: string, env: Record<string, string | undefined>, stage: string): string {
  return text.replace(
    /\$\{(env|opt|sls):([A-Za-z0-9_]+)(?:,\s*'([^']*)')?\}/g,
    (whole, source: string, name: string, fallback?: string) => {
      if (source === 'env') {
        const value = env[name] ?? fallback ?? '';
        // Substituted into YAML text: a value of several lines (a PEM key) goes in as one quoted scalar.
        return /[\r\n]/.test(value) ? JSON.stringify(value) : value;
      }
      if (source === 'sls' && name === 'stage') return stage;
      if (source === 'opt' && name === 'stage') return stage;
      return fallback ?? whole;
    },
  );
}

type Raw = Record<string, unknown>;
type Env = Record<string, string | undefined>;

const FILE_VARIABLE = /^\$\{file\((\.\/[^)]+\.js)\):([A-Za-z0-9_.]+)(?:,\s*(null|'[^']*'))?\}$/;

/**
 * `${file(./x.js):name}` as serverless resolves it: the export, called with the CLI options when it is a
 * function. Locally only synchronous exports are supported (those serverless.yml uses are).
 */
function resolveFileVariables(value: unknown, dir: string, stage: string, env: Env = process.env): unknown {
  if (typeof value === 'string') {
    const m = FILE_VARIABLE.exec(value);
    if (!m) return value;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    let result: unknown = (require(resolve(dir, m[1]!)) as Raw)[m[2]!];
    // `env` is ours (serverless passes none, and the module reads process.env): a test's own environment.
    if (typeof result === 'function') result = (result as (arg: unknown) => unknown)({ options: { stage }, env });
    if (result instanceof Promise) throw new Error(`${value}: an asynchronous export can't be resolved locally`);
    return result ?? (m[3] === 'null' || m[3] === undefined ? null : m[3].slice(1, -1));
  }
  if (Array.isArray(value)) return value.map((v) => resolveFileVariables(v, dir, stage, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveFileVariables(v, dir, stage, env)]));
  return value;
}

/** `!GetAtt RefundsQueue.Arn` (or its list form) → `RefundsQueue`. */
function logicalIdOf(arn: unknown): string {
  const getAtt = (arn as Raw | undefined)?.['Fn::GetAtt'];
  const target: unknown = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
  if (typeof target !== 'string') throw new Error(`An sqs event needs arn: !GetAtt <Queue>.Arn, got ${JSON.stringify(arn)}`);
  return target;
}

/** API Gateway's CORS configuration (osls's `provider.httpApi.cors`), which the local server answers by. */
export interface CorsPolicy {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  maxAge?: number;
  exposedResponseHeaders?: string[];
  allowCredentials?: boolean;
}

/** osls's defaults for `cors: true`. */
const ANY_ORIGIN: CorsPolicy = {
  allowedOrigins: ['*'],
  allowedHeaders: [
    'Content-Type',
    'X-Amz-Date',
    'Authorization',
    'X-Api-Key',
    'X-Amz-Security-Token',
    'X-Amz-User-Agent',
    'X-Amzn-Trace-Id',
  ],
  allowedMethods: ['OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
};

/** The HTTP API's own settings; `cors` undefined when none is configured. */
export function loadHttpApi(
  file = resolve(__dirname, '..', 'serverless.yml'),
  env: Env = process.env,
  stage = 'local',
): { cors?: CorsPolicy } {
  const doc = parse(resolveVariables(readFileSync(file, 'utf8'), env, stage), { customTags: cfnTags, merge: true }) as { provider?: Raw };
  const cors = resolveFileVariables((doc.provider?.httpApi as Raw | undefined)?.cors, dirname(file), stage, env);
  if (cors === true) return { cors: ANY_ORIGIN };
  if (!cors || typeof cors !== 'object') return {};
  return { cors: { ...ANY_ORIGIN, ...(cors as Partial<CorsPolicy>) } };
}

export function loadManifest(file = resolve(__dirname, '..', 'serverless.yml'), env = process.env, stage = 'local'): FunctionDef[] {
  const doc = parse(resolveVariables(readFileSync(file, 'utf8'), env, stage), { customTags: cfnTags, merge: true }) as {
    functions: Record<string, Raw>;
    provider?: Raw;
  };
  const defaultTimeout = Number(doc.provider?.timeout ?? 6);
  const defaultMemory = Number(doc.provider?.memorySize ?? 1024);
  const functions = resolveFileVariables(doc.functions, dirname(file), stage) as Record<string, Raw | null>;
  // As in serverless: a function whose definition resolves to null does not exist in this stage.
  const defined = Object.entries(functions).filter((entry): entry is [string, Raw] => entry[1] !== null);
  return defined.map(([name, fn]) => {
    const handler = String(fn.handler);
    const dot = handler.lastIndexOf('.');
    const def: FunctionDef = {
      name,
      module: handler.slice(0, dot),
      exportName: handler.slice(dot + 1),
      timeout: Number(fn.timeout ?? defaultTimeout),
      memorySize: Number(fn.memorySize ?? defaultMemory),
      http: [],
      streams: [],
      queues: [],
      schedules: [],
      iam: (fn.iamRoleStatements as IamStatement[] | undefined) ?? [],
      environment: (fn.environment as Record<string, unknown> | undefined) ?? {},
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
      } else if ('sqs' in event) {
        const q = event.sqs as Raw;
        def.queues.push({
          queue: logicalIdOf(q.arn),
          batchSize: Number(q.batchSize ?? 10),
          batchWindowSeconds: Number(q.maximumBatchingWindow ?? 0),
          reportBatchItemFailures: q.functionResponseType === 'ReportBatchItemFailures',
        });
      } else if ('schedule' in event) {
        // The short form `schedule: rate(5 minutes)` is a bare expression.
        const s = (typeof event.schedule === 'string' ? { rate: event.schedule } : event.schedule) as Raw;
        const rate = (Array.isArray(s.rate) ? s.rate[0] : s.rate) as string;
        def.schedules.push({ expression: rate, timezone: (s.timezone as string | undefined) ?? 'UTC', input: s.input ?? {} });
      }
    }
    return def;
  });
}

/** How serverless-esbuild bundles each function (`custom.esbuild`), and the provider's NODE_OPTIONS they run with. */
export function loadBuildSettings(file = resolve(__dirname, '..', 'serverless.yml')): { esbuild: Raw; nodeOptions: string } {
  const doc = parse(resolveVariables(readFileSync(file, 'utf8'), {}, 'prod'), { customTags: cfnTags, merge: true }) as {
    custom?: { esbuild?: Raw };
    provider?: { environment?: Raw };
  };
  return {
    esbuild: doc.custom?.esbuild ?? {},
    nodeOptions: typeof doc.provider?.environment?.NODE_OPTIONS === 'string' ? doc.provider.environment.NODE_OPTIONS : '',
  };
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
  type Resources = { Resources?: Record<string, { Properties?: { DistributionConfig?: { CacheBehaviors?: Raw[] } } }> };
  const doc = parse(readFileSync(file, 'utf8'), { customTags: cfnTags, merge: true }) as { resources?: Resources | (Resources | string)[] };
  // `resources` may be a list of parts that serverless merges (some of them `${file(…)}` variables).
  const parts = Array.isArray(doc.resources) ? doc.resources : [doc.resources];
  const distribution = parts.map((part) => (typeof part === 'object' ? part?.Resources?.WebDistribution : undefined)).find(Boolean);
  const behaviors = distribution?.Properties?.DistributionConfig?.CacheBehaviors ?? [];
  return behaviors
    .filter((b) => b.TargetOriginId === 'web')
    .map((b) => ({ pathPattern: String(b.PathPattern), page: Array.isArray(b.FunctionAssociations) && b.FunctionAssociations.length > 0 }));
}
