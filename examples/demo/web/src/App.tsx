import { useConnectionStatus } from "mizan/react";
import { api } from "./api";
import { useViewer } from "./components";
import { AccountProvider } from "./mizan/react";
import { BoardPage } from "./pages/BoardPage";
import { EditPost } from "./pages/EditPost";
import { Home } from "./pages/Home";
import { NewPost } from "./pages/NewPost";
import { Operator } from "./pages/Operator";
import { PostPage } from "./pages/PostPage";
import { SignIn } from "./pages/SignIn";
import { Link, navigate, usePath } from "./router";
import { mizan } from "./mizan/react";

export function App() {
  const path = usePath();
  const viewer = useViewer();
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          Mizan team board
        </Link>
        <nav>
          <Link to="/">Boards</Link>
          <Link to="/operator">Operator</Link>
        </nav>
        <LiveStatus />
        {viewer === null ? (
          <Link to="/signin" className="button">
            Sign in
          </Link>
        ) : (
          // The account group loads `me` and `my_drafts` together in one batch.
          <AccountProvider inputs={{ me: null, my_drafts: null }} fallback={<span className="muted">…</span>}>
            <Account />
          </AccountProvider>
        )}
      </header>
      <main>
        <Route path={path} />
      </main>
    </>
  );
}

function Route({ path }: { path: string }) {
  const id = (pattern: RegExp) => Number(pattern.exec(path)?.[1]);
  if (path === "/signin") return <SignIn />;
  if (path === "/operator") return <Operator />;
  if (path === "/new") {
    const board = new URLSearchParams(location.search).get("board");
    return <NewPost boardId={board === null ? undefined : Number(board)} />;
  }
  if (/^\/boards\/\d+$/.test(path)) return <BoardPage boardId={id(/(\d+)$/)} />;
  if (/^\/posts\/\d+\/edit$/.test(path)) return <EditPost postId={id(/^\/posts\/(\d+)/)} />;
  if (/^\/posts\/\d+$/.test(path)) return <PostPage postId={id(/(\d+)$/)} />;
  return <Home />;
}

function Account() {
  const me = mizan.me.useQuery(null);
  const drafts = mizan.myDrafts.useQuery(null);
  const signOut = () => {
    void api.$client.logout();
    navigate("/");
  };
  return (
    <span className="account" id="account">
      <strong>{me.data?.display_name ?? "…"}</strong>
      <span className="muted"> ({me.data?.user}, {drafts.data?.length ?? 0} drafts)</span>
      <button type="button" className="link" onClick={signOut}>
        Sign out
      </button>
    </span>
  );
}

/** Whether live updates are flowing (the one WebSocket carries revisions and chat). */
function LiveStatus() {
  const status = useConnectionStatus();
  return <span className={`status status-${status}`} id="live-status">{status === "open" ? "live" : status}</span>;
}
