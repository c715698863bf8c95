// ESLint (flat config): TypeScript recommended rules over src/ and bench/.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'native/build/', 'artifacts/', 'demo-out/', 'bench-out/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Leaves stay leaves: the report imports only its own files and, from the rooms whose results it renders,
    // types (erased: importing the report loads nothing of cwrf); commands render.
    files: ['src/report/**/*.ts'],
    ignores: ['src/report/**/*.test.ts', 'src/report/_testing.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./',
              allowTypeImports: true,
              message: 'src/report/ imports only its own files, npm packages, and types (import type): pass data in, render in the command',
            },
          ],
        },
      ],
    },
  },
  {
    // Attacks are pure typed-array functions: no engine, no model, no experiment.
    files: ['src/attacks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(engine|nn|optim|data|train|defenses|runs|references|audit|studies|report|cli|io)/',
              message: 'src/attacks/ never imports the engine or the rooms above it (only src/util/)',
            },
          ],
        },
      ],
    },
  },
);
