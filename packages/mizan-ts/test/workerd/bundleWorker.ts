import { build } from "esbuild";

/**
 * Bundles a Workers module (`entry`, a path) for workerd. Platform neutral: a Node built-in
 * anywhere in what it imports fails the bundle instead of being shimmed.
 */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild produced no worker for ${entry}`);
  return output.text;
}
