import { defineConfig } from "vitest/config";

// The window loads ui/dist from the Tauri bundle: no dev server, no CDN.
// style.css pulls NanumGothic from the repository's assets/fonts, so the
// font ships inside the app and every PC renders alike.
export default defineConfig({
  base: "./",
  publicDir: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, target: "safari15", assetsInlineLimit: 0 },
  test: { include: ["src/**/*.test.ts"] },
});
