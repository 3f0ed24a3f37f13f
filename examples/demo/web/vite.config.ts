import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the page with hot reload and forwards the API to a running demo
// server (`DEMO_URL`, default the one scripts/demo starts).
const server = process.env["DEMO_URL"] ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/mizan": { target: server, ws: true },
      "/stats": server,
    },
  },
});
