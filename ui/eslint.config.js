// @ts-check
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const APP_ERROR = { from: 'file', name: 'AppError', path: 'src/ipc/app-error.ts' };

export default defineConfig(
  { ignores: ['dist/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  svelte.configs.recommended,
  {
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  // Commands reject with core's plain `{ code, message }` (the contract), not with Error objects.
  {
    rules: {
      '@typescript-eslint/only-throw-error': ['error', { allow: [APP_ERROR] }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allow: [APP_ERROR] }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },
  // Only the ipc module talks to the shell.
  {
    files: ['src/**'],
    ignores: ['src/ipc/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@tauri-apps/*'], message: 'Call the shell through src/ipc only.' }],
        },
      ],
    },
  },
  // These files are plain JavaScript outside the type-checked sources: lint them without types.
  {
    files: ['eslint.config.js', 'svelte.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
