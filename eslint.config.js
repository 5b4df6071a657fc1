// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/", "node_modules/", "test-artifacts/", "bench/results/", "**/*.d.ts",
      // The framework apps' build outputs and caches (examples/shared/framework-build.ts).
      "**/build/", "**/.svelte-kit/", "**/.astro/", "**/.vite/", "**/.output/", "**/.nuxt/", "**/.react-router/", "**/.next/",
      "examples/*/dist/", "test/apps/*/dist/", "bench/apps/frameworks/*/dist/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
);
