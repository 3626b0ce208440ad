process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Two projects: pure unit tests (no network) and integration tests against a DynamoDB Local
// that the run starts on a free port and stops itself (test/support/global-setup.ts).
const common = {
  transform: { '^.+\\.(t|j|mj)s$': '<rootDir>/test/support/esbuild-transform.cjs' },
  // middy and jose ship ESM only: let the transform turn them into CommonJS too.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
};
/** Test files that load @cloudbase/node-sdk (see the cloudbase project below), as globs and as path patterns. */
const CLOUDBASE = ['functions/*/cloudbase.test.ts', 'test/cloudbase/**/*.test.ts', 'test/contract/**/*.test.ts'];
const CLOUDBASE_PATHS = ['/functions/[^/]+/cloudbase\\.test\\.ts$', '/test/cloudbase/', '/test/contract/'];
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '<rootDir>/test/iam/', ...CLOUDBASE_PATHS],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...CLOUDBASE_PATHS],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // The tests that drive CloudBase's SDK (against the stand-in), in a run of their own: the SDK probes
    // Tencent Cloud's metadata service on every call and leaves the worker unable to reach even its own
    // local stack afterwards, so nothing else may share a worker with them. The SDK also leaves timers and
    // sockets behind that no API of it closes: npm test runs this project with --forceExit, and first (its global setup
    // starts afresh the recordings that the iam project reads after the integration suite).
    {
      ...common,
      displayName: 'cloudbase',
      testMatch: CLOUDBASE.map((p) => `<rootDir>/${p}`),
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // After the integration suite (npm test runs it second): serverless.yml's IAM against what was recorded.
    { ...common, displayName: 'iam', testMatch: ['<rootDir>/test/iam/*.test.ts'] },
  ],
  // Generous: the integration suite shares a 2-core machine with DynamoDB Local, Chromium and the builds.
  testTimeout: 120000,
};
