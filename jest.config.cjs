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
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '<rootDir>/test/iam/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // After the integration suite (npm test runs it second): serverless.yml's IAM against what was recorded.
    { ...common, displayName: 'iam', testMatch: ['<rootDir>/test/iam/*.test.ts'] },
  ],
  // Generous: the integration suite shares a 2-core machine with DynamoDB Local, Chromium and the builds.
  testTimeout: 120000,
};
