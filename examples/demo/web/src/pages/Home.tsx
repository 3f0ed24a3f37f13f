import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, queryClient } from "../api";
import { compositions, type Board, type Post } from "../mizan/client";
import { ErrorNote, SourceBadge, useViewer, when } from "../components";
import { Link } from "../router";

const MEMBERS: readonly string[] = compositions.dashboard;

/**
 * The dashboard: one `POST /compose/dashboard`, each member authorized and cached on its
 * own (a guest's `member_boards` fails alone), refetched when any member's revision moves.
 */
export function Home() {
  const viewer = useViewer();
  const dashboard = useQuery({
    queryKey: ["dashboard", viewer?.user ?? null],
    queryFn: () => api.$compose.dashboard(),
  });
  useEffect(
    () =>
      api.$client.onRevisionsChange((stale) => {
        if (MEMBERS.some((fn) => stale.has(fn))) void queryClient.invalidateQueries({ queryKey: ["dashboard"] });
      }),
    [],
  );
  if (dashboard.isPending) return <p className="muted">Loading…</p>;
  if (dashboard.isError) return <ErrorNote error={dashboard.error} />;
  const { list_public_boards: open, member_boards: members, my_drafts: drafts } = dashboard.data;
  return (
    <div className="grid">
      <section className="card">
        <h2>
          Boards <SourceBadge fn="list_public_boards" />
        </h2>
        {open.ok ? <BoardList boards={open.data} /> : <ErrorNote error={open.error} />}
      </section>
      <section className="card" id="member-boards">
        <h2>
          Team boards <SourceBadge fn="member_boards" />
        </h2>
        {members.ok ? (
          <BoardList boards={members.data} />
        ) : (
          <p className="muted">{viewer === null ? "Sign in as member or admin to see these." : "Your account may not read these."}</p>
        )}
      </section>
      <section className="card" id="my-drafts">
        <h2>
          My drafts <SourceBadge fn="my_drafts" />
        </h2>
        {drafts.ok ? <DraftList drafts={drafts.data} /> : <p className="muted">Sign in to keep drafts.</p>}
      </section>
    </div>
  );
}

function BoardList({ boards }: { boards: readonly Board[] }) {
  return (
    <ul className="boards">
      {boards.map((board) => (
        <li key={board.id}>
          <Link to={`/boards/${board.id}`}>{board.name}</Link>
          {board.members_only && <span className="tag">members</span>}
          <span className="muted"> · {board.posts} posts</span>
          <p className="muted">{board.description}</p>
        </li>
      ))}
    </ul>
  );
}

function DraftList({ drafts }: { drafts: readonly Post[] }) {
  if (drafts.length === 0) return <p className="muted">No drafts.</p>;
  return (
    <ul className="posts">
      {drafts.map((post) => (
        <li key={post.id}>
          <Link to={`/posts/${post.id}/edit`}>{post.title}</Link> <span className="muted">· {when(post.updated_at)}</span>
        </li>
      ))}
    </ul>
  );
}
