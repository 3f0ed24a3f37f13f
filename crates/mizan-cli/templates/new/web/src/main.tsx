import { MizanProvider } from "mizan/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { api, queryClient } from "./api";
import { App } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MizanProvider client={api.$client} queryClient={queryClient}>
      <App />
    </MizanProvider>
  </StrictMode>,
);
