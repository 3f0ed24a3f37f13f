import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type CSSProperties } from "react";
import { ErrorNote, useViewer } from "../components";
import { mizan } from "../mizan/react";

/** The permission the `operator_stats` channel asks for (the admin has it). */
const OPERATE = "mizan.purge";
/** An instance not heard from for this long has stopped: its counters leave the page. */
const GONE_AFTER_MS = 5_000;

/** The parts of `GET /mizan/schema` the page shows. */
interface SchemaDocument {
  functions: Record<
    string,
    {
      kind: "query" | "mutation";
      context: string | null;
      description?: string | null;
      cache: { scope: string; ttl_seconds?: number | null; tags?: string[] } | null;
      access: { kind: string; permissions?: string[] };
      invalidates?: string[];
    }
  >;
  compositions?: Record<string, { members: string[] }>;
  channels?: Record<string, { bidirectional: boolean; access?: { kind: string; permissions?: string[] } }>;
}

/** One function's counters, as the server publishes them. */
interface FunctionCounts {
  calls: number;
  cache_hits: number;
  cache_misses: number;
  cache_bypasses: number;
  errors: number;
}

/** The totals the page shows at the top, in this order. */
const TOTALS = [
  "requests",
  "calls",
  "cache_hits",
  "cache_misses",
  "cache_bypasses",
  "errors",
  "ws_open",
  "ws_subscriptions",
] as const;
const LABELS: Partial<Record<(typeof TOTALS)[number], string>> = {
  ws_open: "channel clients",
  ws_subscriptions: "channel subscriptions",
};

const getJson = async <T,>(url: string): Promise<T> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
};

const accessText = (access: { kind: string; permissions?: string[] } | undefined) =>
  access === undefined ? "public" : access.kind === "permissions" ? (access.permissions ?? []).join(", ") : access.kind;

export function Operator() {
  const viewer = useViewer();
  if (viewer === null || !viewer.perms.includes(OPERATE)) {
    return (
      <section className="card narrow">
        <h2>Operator</h2>
        <p className="muted" id="operator-refused">
          Only an operator may see this page: sign in as admin.
        </p>
      </section>
    );
  }
  return <Dashboard />;
}

/**
 * The counters of every instance, pushed once a second on the `operator_stats` channel
 * (no polling): totals on top, then the registry with each function's calls and cache use.
 */
function Dashboard() {
  const [instances, setInstances] = useState<Record<string, { seen: number; stats: InstanceStats["stats"] }>>({});
  const live = mizan.operatorStats.useChannel(null, (message) =>
    setInstances((before) => {
      const now = Date.now();
      const kept = Object.entries(before).filter(([id, entry]) => id !== message.instance && now - entry.seen < GONE_AFTER_MS);
      return Object.fromEntries([...kept, [message.instance, { seen: now, stats: message.stats }]]);
    }),
  );
  const all = Object.values(instances).map((entry) => entry.stats);
  const total = (name: (typeof TOTALS)[number]) => all.reduce((sum, stats) => sum + stats[name], 0);
  const perFunction: Record<string, FunctionCounts> = {};
  for (const stats of all) {
    for (const [name, counts] of Object.entries(stats.functions)) {
      const into = (perFunction[name] ??= { calls: 0, cache_hits: 0, cache_misses: 0, cache_bypasses: 0, errors: 0 });
      into.calls += counts.calls;
      into.cache_hits += counts.cache_hits;
      into.cache_misses += counts.cache_misses;
      into.cache_bypasses += counts.cache_bypasses;
      into.errors += counts.errors;
    }
  }
  const cacheable = total("cache_hits") + total("cache_misses") + total("cache_bypasses");
  const ratio = cacheable === 0 ? "–" : `${Math.round((total("cache_hits") * 100) / cacheable)}%`;
  return (
    <div className="stack">
      <section className="card">
        <h2>Live, pushed every second {all.length > 1 ? `by ${all.length} instances` : ""}</h2>
        <ErrorNote error={live.error} />
        {all.length === 0 && live.error === null && <p className="muted">Waiting for the first counters…</p>}
        <div className="counters" id="counters">
          {TOTALS.map((name) => (
            <div key={name} className="counter" data-counter={name}>
              <span className="value">{total(name)}</span>
              <span className="muted">{LABELS[name] ?? name.replaceAll("_", " ")}</span>
            </div>
          ))}
          <div className="counter">
            <span className="value">{ratio}</span>
            <span className="muted">hit ratio</span>
          </div>
        </div>
        {all.length > 1 && (
          <ul>
            {Object.entries(instances).map(([id, { stats }]) => (
              <li key={id}>
                instance <code>{id}</code>: {stats.ws_open} channel clients, {stats.ws_subscriptions} subscriptions, {stats.calls}{" "}
                calls
              </li>
            ))}
          </ul>
        )}
      </section>
      <Registry counts={perFunction} />
      <ApiReference />
    </div>
  );
}

type InstanceStats = Parameters<Parameters<typeof mizan.operatorStats.useChannel>[1]>[0];

const BAR: CSSProperties = {
  display: "flex",
  height: 10,
  width: 160,
  borderRadius: 5,
  overflow: "hidden",
  background: "var(--line)",
};
const PARTS = [
  { key: "cache_hits", color: "var(--ok)", label: "hits" },
  { key: "cache_misses", color: "var(--warn)", label: "misses" },
  { key: "cache_bypasses", color: "var(--muted)", label: "bypasses" },
] as const;

/** Hits, misses and bypasses of one function as one stacked bar, with the numbers beside it. */
function CacheBar({ counts }: { counts: FunctionCounts }) {
  const sum = counts.cache_hits + counts.cache_misses + counts.cache_bypasses;
  return (
    <div style={{ display: "flex", alignItems: "center", gap: "0.5rem" }}>
      <div style={BAR} title={PARTS.map((p) => `${counts[p.key]} ${p.label}`).join(", ")}>
        {sum > 0 &&
          PARTS.map((p) => <div key={p.key} style={{ width: `${(counts[p.key] * 100) / sum}%`, background: p.color }} />)}
      </div>
      <span className="muted">
        {PARTS.map((p) => (
          <span key={p.key} data-count={p.key} style={{ color: p.color, marginRight: "0.35rem" }}>
            {counts[p.key]}
          </span>
        ))}
      </span>
    </div>
  );
}

function Registry({ counts }: { counts: Record<string, FunctionCounts> }) {
  const schema = useQuery({ queryKey: ["schema"], queryFn: () => getJson<SchemaDocument>("/mizan/schema") });
  if (schema.isPending) return <p className="muted">Loading the registry…</p>;
  if (schema.isError) return <ErrorNote error={schema.error} />;
  const { functions, compositions = {}, channels = {} } = schema.data;
  return (
    <section className="card">
      <h2>Registry</h2>
      <table className="registry" id="registry">
        <thead>
          <tr>
            <th>function</th>
            <th>kind</th>
            <th>access</th>
            <th>cache</th>
            <th>tags / invalidates</th>
            <th>context</th>
            <th>calls</th>
            <th>hits / misses / bypasses</th>
            <th>errors</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(functions).map(([name, f]) => {
            const c = counts[name];
            const cached = f.cache !== null && f.cache.scope !== "none";
            return (
              <tr key={name} title={f.description ?? ""} data-function={name}>
                <td>
                  <code>{name}</code>
                </td>
                <td>{f.kind}</td>
                <td>{accessText(f.access)}</td>
                <td>{cached ? `${f.cache?.scope}${f.cache?.ttl_seconds ? `, ${f.cache.ttl_seconds}s` : ""}` : "–"}</td>
                <td>
                  {f.kind === "mutation" ? (f.invalidates ?? []).map((t) => `→ ${t}`).join(" ") : (f.cache?.tags ?? []).join(" ")}
                </td>
                <td>{f.context ?? ""}</td>
                <td data-count="calls">{c?.calls ?? 0}</td>
                <td>{cached && c !== undefined ? <CacheBar counts={c} /> : <span className="muted">–</span>}</td>
                <td data-count="errors" className={c !== undefined && c.errors > 0 ? "error" : ""}>
                  {c?.errors ?? 0}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>Compositions</h3>
      <ul>
        {Object.entries(compositions).map(([name, { members }]) => (
          <li key={name}>
            <code>{name}</code>: {members.join(", ")}
          </li>
        ))}
      </ul>
      <h3>Channels</h3>
      <ul>
        {Object.entries(channels).map(([name, c]) => (
          <li key={name}>
            <code>{name}</code>: {c.bidirectional ? "bidirectional" : "server to client"}, {accessText(c.access)}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The OpenAPI document rendered by Swagger UI, loaded only when this page opens. */
function ApiReference() {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let live = true;
    void Promise.all([import("swagger-ui-dist/swagger-ui-bundle.js"), import("swagger-ui-dist/swagger-ui.css")]).then(([ui]) => {
      if (live && host.current !== null) ui.default({ url: "/mizan/openapi.json", domNode: host.current, deepLinking: false });
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="card">
      <h2>API reference</h2>
      <div ref={host} id="api-reference" className="api-reference" />
    </section>
  );
}
