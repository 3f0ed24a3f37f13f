import { useState } from "react";
import { mizan } from "./mizan/react";

/** The one page: a name in, the server's greeting out (cached on the server per name). */
export function App() {
  const [name, setName] = useState("world");
  const greeting = mizan.hello.useQuery({ name });
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "3rem auto" }}>
      <h1>{{name}}</h1>
      <label>
        Name <input value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <p id="greeting">{greeting.isError ? String(greeting.error) : (greeting.data ?? "…")}</p>
    </main>
  );
}
