// Lint rules that catch bugs the type checker lets through (floating promises, unsafe any, misused
// awaits), not matters of taste: formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'web/',
      '.build/',
      '.serverless/',
      '.esbuild/',
      'coverage/',
      'bench/results/',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Ports are async by contract; sandboxes and in-memory adapters fulfil them without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `import { z } from 'zod'` (or its default) is a namespace esbuild cannot shake: every locale and the
      // JSON-schema code, 450 KB per function instead of 90 KB (docs/decisions.md, "bundles").
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier[imported.name='z'][importKind!='type'], ImportDefaultSpecifier)",
          message: "Write `import * as z from 'zod'`: it tree-shakes (90 KB a bundle instead of 450 KB).",
        },
        {
          // One line of types, one of values: a list of names does not wrap into a column that reads as code.
          selector: "ImportDeclaration[importKind='value'] > ImportSpecifier[importKind='type']",
          message: "Import types on their own line: `import type { … } from '…'`.",
        },
      ],
    },
  },
  {
    // Tests read HTTP and stream payloads as untyped JSON and assert on them; typing every response would
    // add casts, not safety (the demo script and the bench are such HTTP clients too). No explicit `any` even
    // there (what is untyped is `unknown`, or a declared shape). The other rules (floating promises, misused
    // awaits) still apply to tests.
    files: ['**/*.test.ts', 'test/**/*.ts', 'scripts/demo.ts', 'scripts/city-purchase-order.ts', 'bench/**/*.ts'],
    rules: {
      // jest.isolateModules loads a module afresh under other settings, and only with a synchronous require.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The one loose type of the test helpers: a response body as tests read it (`LooseJson`), asserted on.
    files: ['test/support/stack.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
