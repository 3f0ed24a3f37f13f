import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { ErrorNote } from "../components";

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

/** `GET /stats`: the instance's counters. */
type Stats = Record<string, number>;

const getJson = async <T,>(url: string): Promise<T> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
};

const accessText = (access: { kind: string; permissions?: string[] } | undefined) =>
  access === undefined ? "public" : access.kind === "permissions" ? (access.permissions ?? []).join(", ") : access.kind;

export function Operator() {
  return (
    <div className="stack">
      <Counters />
      <Registry />
      <ApiReference />
    </div>
  );
}

/** The counters, read every second (the server publishes no counter channel). */
function Counters() {
  const stats = useQuery({ queryKey: ["stats"], queryFn: () => getJson<Stats>("/stats"), refetchInterval: 1000 });
  if (stats.isError) return <ErrorNote error={stats.error} />;
  const s = stats.data ?? {};
  const cacheable = (s["cache_hits"] ?? 0) + (s["cache_misses"] ?? 0);
  const ratio = cacheable === 0 ? "–" : `${Math.round(((s["cache_hits"] ?? 0) * 100) / cacheable)}%`;
  return (
    <section className="card">
      <h2>This instance, live</h2>
      <div className="counters" id="counters">
        {Object.entries(s).map(([name, value]) => (
          <div key={name} className="counter" data-counter={name}>
            <span className="value">{value}</span>
            <span className="muted">{name.replaceAll("_", " ")}</span>
          </div>
        ))}
        <div className="counter">
          <span className="value">{ratio}</span>
          <span className="muted">hit ratio</span>
        </div>
      </div>
    </section>
  );
}

function Registry() {
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
          </tr>
        </thead>
        <tbody>
          {Object.entries(functions).map(([name, f]) => (
            <tr key={name} title={f.description ?? ""}>
              <td>
                <code>{name}</code>
              </td>
              <td>{f.kind}</td>
              <td>{accessText(f.access)}</td>
              <td>{f.cache === null || f.cache.scope === "none" ? "–" : `${f.cache.scope}${f.cache.ttl_seconds ? `, ${f.cache.ttl_seconds}s` : ""}`}</td>
              <td>{f.kind === "mutation" ? (f.invalidates ?? []).map((t) => `→ ${t}`).join(" ") : (f.cache?.tags ?? []).join(" ")}</td>
              <td>{f.context ?? ""}</td>
            </tr>
          ))}
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
