import { QueryClient } from "@tanstack/react-query";
import { createMizan } from "./mizan/client";

/** The typed client of the server's functions (generated into `./mizan` by `npm run generate`). */
export const api = createMizan({ baseUrl: "/mizan" });

export const queryClient = new QueryClient();
