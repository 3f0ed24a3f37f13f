import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the page with hot reload and forwards the API to the server
// scripts/dev started (`SERVER_URL`, default its address).
const server = process.env["SERVER_URL"] ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/mizan": { target: server, ws: true } } },
});
