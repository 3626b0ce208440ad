import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { loadSecrets } from './secrets';

describe('loadSecrets', () => {
  it("reads the function's missing secrets from SSM under SECRETS_PATH (the client loaded on demand) into the environment", async () => {
    const env: Record<string, string | undefined> = {
      SECRETS: 'AUTH_SECRET, WECHAT_SECRET',
      SECRETS_PATH: '/tuangou/prod/',
      WECHAT_SECRET: 'kept',
    };
    const sent: unknown[] = [];
    const client = () => ({
      send: async (command: unknown) => {
        sent.push(command);
        return { Parameters: [{ Name: '/tuangou/prod/AUTH_SECRET', Value: 's3cret' }], InvalidParameters: [] };
      },
    });
    await loadSecrets(env, client);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(GetParametersCommand);
    // Only the one not already in the environment is asked for, decrypted.
    expect((sent[0] as GetParametersCommand).input as unknown).toEqual({ Names: ['/tuangou/prod/AUTH_SECRET'], WithDecryption: true });
    expect(env).toMatchObject({ AUTH_SECRET: 's3cret', WECHAT_SECRET: 'kept' });
  });
});
