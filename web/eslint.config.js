// ESLint for the web client: TypeScript, the rules of hooks (with the React Compiler's checks), accessible JSX.
// Formatting is Prettier's (`npm run format`); eslint-config-prettier switches off the rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'src/api/schema.d.ts']),
  js.configs.recommended,
  tseslint.configs.recommended,
  reactHooks.configs.flat['recommended-latest'],
  jsxA11y.flatConfigs.recommended,
  {
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits or marks with `void` is usually a forgotten await.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Deliberate: the first field of a dialog or of a one-field step (sign-in, a 2FA code) takes focus.
      'jsx-a11y/no-autofocus': 'off',
      // Messages are focusable articles of a feed (WAI-ARIA feed pattern).
      'jsx-a11y/no-noninteractive-tabindex': ['error', { tags: [], roles: ['tabpanel', 'article'], allowExpressionValues: true }],
      // Radio choices put their label text two spans deep.
      'jsx-a11y/label-has-associated-control': ['error', { depth: 3 }],
      // Reports components the React Compiler would skip; this app does not use the compiler.
      'react-hooks/incompatible-library': 'off',
    },
  },
  {
    files: ['*.{js,mjs}', 'scripts/**', 'public/**'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['serviceWorker/sw.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.serviceworker },
  },
  prettier,
);
