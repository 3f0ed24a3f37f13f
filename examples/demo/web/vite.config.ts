import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the page with hot reload and forwards the API to a running demo
// server (`DEMO_URL`, default the one scripts/demo starts).
const server = process.env["DEMO_URL"] ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: {
    // Swagger UI (1.5 MB) is its own chunk, loaded only by the operator page.
    chunkSizeWarningLimit: 1600,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    proxy: {
      "/mizan": { target: server, ws: true },
    },
  },
});
