import { isMizanError } from "mizan";
import { useState, type FormEvent } from "react";
import { api } from "../api";
import { navigate } from "../router";

const USERS = [
  { user: "admin", what: "everything, and the operator page" },
  { user: "member", what: "reads the team room, writes posts" },
  { user: "guest", what: "reads the public boards only" },
] as const;

export function SignIn() {
  const [user, setUser] = useState("member");
  const [password, setPassword] = useState("mizan");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.$client.login({ user, password });
      navigate("/");
    } catch (failure) {
      setError(isMizanError(failure) ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <p className="muted">Every seeded user's password is <code>mizan</code>.</p>
      <form onSubmit={submit} className="stack">
        <fieldset className="users">
          {USERS.map((u) => (
            <label key={u.user} className={user === u.user ? "user chosen" : "user"}>
              <input type="radio" name="user" value={u.user} checked={user === u.user} onChange={() => setUser(u.user)} />
              <strong>{u.user}</strong> <span className="muted">{u.what}</span>
            </label>
          ))}
        </fieldset>
        <label>
          Password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error !== null && <p className="error">{error}</p>}
        <button type="submit" disabled={busy}>
          Sign in as {user}
        </button>
      </form>
    </section>
  );
}
