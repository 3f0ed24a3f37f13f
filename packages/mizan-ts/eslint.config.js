// @ts-check
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  // Generated code, and the files tsconfig.test.json leaves to esbuild and to tsc over generated clients.
  { ignores: ["dist/", "test/.generated/", "test/typecheck/", "test/browser/", "test-results/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: "./tsconfig.test.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Style only: `() => void f()` and `() => f()` read the same here.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Numbers in messages and URLs are what templates are for; objects and nullish stay flagged.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // With noUncheckedIndexedAccess, `!` marks an index just bounds-checked (hex digits, code
      // points); `?? 0` in its place would hide a bug instead of failing.
      "@typescript-eslint/no-non-null-assertion": "off",
      // The checks it calls unnecessary guard JavaScript callers and wire data (an unknown cache
      // scope, a `description` the server may omit); the types promise more than callers do.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // `subscribe<M>(...)`, `createMizanApi<Api>(...)`: a caller names the type it expects.
      "@typescript-eslint/no-unnecessary-type-parameters": "off",
      // `[...text].length` counts code points on purpose: the server's validator counts chars.
      "@typescript-eslint/no-misused-spread": "off",
    },
  },
  // Vitest's asymmetric matchers (`expect.stringContaining`) are typed `any`.
  { files: ["**/*.test.ts"], rules: { "@typescript-eslint/no-unsafe-assignment": "off" } },
  // The classic rules of hooks; the React Compiler's rules are for code it compiles, and this
  // package's hooks keep the latest callback in a ref on purpose (React 18 has no useEffectEvent).
  {
    files: ["src/react/**/*.ts"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
);
