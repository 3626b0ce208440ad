// Secrets in AWS come from SSM Parameter Store, not from plain environment variables: serverless.yml gives
// a function `SECRETS` (the names it needs, e.g. `AUTH_SECRET`) and `SECRETS_PATH` (`/tuangou/<stage>/`),
// and its first invocation reads those parameters (SecureString, decrypted) into the process's
// environment, where the configuration's getters find them. Locally nothing is fetched: the local stage
// has development values, and a value already in the environment is kept.
import type { SSMClient } from '@aws-sdk/client-ssm';

type Env = Record<string, string | undefined>;

let loading: Promise<void> | undefined;

/** The secrets a function declares, as a list. */
export const declaredSecrets = (env: Env = process.env) =>
  (env.SECRETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Loads the function's secrets once per process (a failure is retried by the next invocation). */
export function loadSecrets(env: Env = process.env, client?: () => Pick<SSMClient, 'send'>): Promise<void> {
  loading ??= (async () => {
    const missing = declaredSecrets(env).filter((name) => !env[name]);
    if (missing.length === 0) return;
    const path = env.SECRETS_PATH;
    if (!path) throw new Error(`SECRETS_PATH is required to load ${missing.join(', ')}`);
    // Loaded only by a function that has secrets to fetch: the others' cold start skips the SSM client (~30 ms).
    const { GetParametersCommand, SSMClient } = await import('@aws-sdk/client-ssm');
    const ssm = client ? client() : new SSMClient({});
    for (let i = 0; i < missing.length; i += 10) {
      const names = missing.slice(i, i + 10);
      const { Parameters, InvalidParameters } = await ssm.send(
        new GetParametersCommand({ Names: names.map((n) => `${path}${n}`), WithDecryption: true }),
      );
      if (InvalidParameters?.length) throw new Error(`Missing SSM parameters: ${InvalidParameters.join(', ')}`);
      for (const p of Parameters ?? []) if (p.Name && p.Value !== undefined) env[p.Name.slice(path.length)] = p.Value;
    }
  })().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** Called with each secret's name when the configuration reads it (the local stack records them for the IAM check). */
export const secretReads: ((name: string) => void)[] = [];
