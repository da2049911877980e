// ESLint flat config: type-aware TypeScript rules plus Nx module boundaries. The boundaries keep the
// dependency direction of ARCHITECTURE.md: core <- domain <- infra <- pipeline <- application <- composition <- apps,
// and keep frameworks (Nest, TypeORM, yargs) out of the packages that must stay plain.
import { readdirSync, readFileSync } from 'node:fs';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const plainTs = ['@nestjs/*', 'typeorm', 'better-sqlite3', 'yargs', 'rxjs'];
const noFramework = ['@nestjs/*', 'yargs'];

// Node's built-ins are no packages, so the boundary rule below never sees them: the core and domain
// libs are kept free of I/O by ESLint's own rule instead. Pure helpers (path, url, crypto, assert)
// stay allowed.
const ioBuiltins = [
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'readline',
  'tls',
  'worker_threads',
];
const noIo = 'core and domain libs do no I/O: take a port, and implement it in an infra lib';
/** The libs whose package.json tags them core or domain: their source may do no I/O. */
const plainLibs = readdirSync(new URL('./libs', import.meta.url)).filter((name) => {
  try {
    const pkg = JSON.parse(readFileSync(new URL(`./libs/${name}/package.json`, import.meta.url), 'utf8'));
    const tags = pkg.nx?.tags ?? [];
    return tags.includes('type:core') || tags.includes('type:domain');
  } catch {
    return false;
  }
});

// Who may import whom. Specs additionally get the testing helpers.
function boundaries(extraForSpecs) {
  const allowed = (...tags) => [...tags, ...extraForSpecs];
  return {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    // The CLI loads these with `await import()` where a command needs them, and statically only from
    // modules that are themselves loaded that way (apps/cli/test/cli-start.e2e.spec.ts checks what loads).
    checkDynamicDependenciesExceptions: ['@agent-harness/server', '@agent-harness/runtime'],
    depConstraints: [
      { sourceTag: 'type:core', onlyDependOnLibsWithTags: allowed('type:core'), bannedExternalImports: plainTs },
      {
        sourceTag: 'type:domain',
        onlyDependOnLibsWithTags: allowed('type:core', 'type:domain'),
        bannedExternalImports: plainTs,
      },
      {
        sourceTag: 'type:infra',
        onlyDependOnLibsWithTags: allowed('type:core', 'type:domain', 'type:infra'),
        bannedExternalImports: noFramework,
      },
      {
        sourceTag: 'type:pipeline',
        onlyDependOnLibsWithTags: allowed('type:core', 'type:domain', 'type:infra'),
        bannedExternalImports: noFramework,
      },
      // The application layer (@agent-harness/app): the operations every surface adapts.
      {
        sourceTag: 'type:application',
        onlyDependOnLibsWithTags: allowed('type:core', 'type:domain', 'type:infra', 'type:pipeline'),
        bannedExternalImports: noFramework,
      },
      {
        sourceTag: 'type:composition',
        onlyDependOnLibsWithTags: allowed(
          'type:core',
          'type:domain',
          'type:infra',
          'type:pipeline',
          'type:application',
        ),
        bannedExternalImports: noFramework,
      },
      {
        sourceTag: 'type:nest',
        onlyDependOnLibsWithTags: allowed(
          'type:core',
          'type:domain',
          'type:infra',
          'type:pipeline',
          'type:application',
          'type:composition',
        ),
        bannedExternalImports: ['yargs'],
      },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: [
          'type:core',
          'type:domain',
          'type:infra',
          'type:pipeline',
          'type:application',
          'type:composition',
          'type:testing',
        ],
      },
      // The CLI reaches the Nest server only through `await import()` in `serve`.
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'], bannedExternalImports: ['@nestjs/*'] },
    ],
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/out-tsc/**', '**/node_modules/**', '.nx/**', 'coverage/**', '**/fixtures/**/*.js'] },
  js.configs.recommended,
  ...nx.configs['flat/base'],
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked, ...tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: false }],
      // Nest's option types are classes filled with object literals by design.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', boundaries([])],
    },
  },
  {
    files: plainLibs.map((name) => `libs/${name}/src/**/*.ts`),
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ioBuiltins.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message: noIo })) },
      ],
      // `await import('node:fs')` too.
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/^(node:)?(${ioBuiltins.join('|').replaceAll('/', '\\/')})$/]`,
          message: noIo,
        },
      ],
    },
  },
  {
    // Tests may use what they test with, including the testing helpers, and non-null assertions on fixtures.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(['type:testing'])],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        fetch: 'readonly',
      },
    },
  },
);
