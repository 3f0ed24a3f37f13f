import { useState, type FormEvent } from "react";
import { api } from "../api";
import { ErrorNote, SourceBadge, useViewer, when } from "../components";
import type { ChatLine } from "../mizan/client";
import { mizan } from "../mizan/react";
import { Link } from "../router";

export function BoardPage({ boardId }: { boardId: number }) {
  const viewer = useViewer();
  const page = mizan.boardPosts.useQuery({ board_id: boardId });
  if (page.isPending) return <p className="muted">Loading…</p>;
  if (page.isError) return <ErrorNote error={page.error} />;
  const { board, posts } = page.data;
  return (
    <div className="grid board">
      <section className="card wide">
        <header className="row">
          <h1>
            {board.name} <SourceBadge fn="board_posts" />
          </h1>
          {viewer?.perms.includes("posts.write") === true && (
            <Link to={`/new?board=${board.id}`} className="button">
              New post
            </Link>
          )}
        </header>
        <p className="muted">{board.description}</p>
        <ul className="posts" id="posts">
          {posts.map((post) => (
            <li key={post.id}>
              <Link to={`/posts/${post.id}`}>{post.title}</Link>
              <span className="muted">
                {" "}
                · {post.author} · {when(post.created_at)} · {post.comments} comments
              </span>
            </li>
          ))}
        </ul>
      </section>
      {viewer === null ? (
        <section className="card">
          <h2>Chat</h2>
          <p className="muted">Sign in to chat.</p>
        </section>
      ) : (
        <Chat boardId={board.id} />
      )}
    </div>
  );
}

/**
 * The board's chat: lines arrive over the channel, and those said while the connection was
 * down are recovered on reconnect; nothing is kept after a reload. Lists who is here.
 */
function Chat({ boardId }: { boardId: number }) {
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const channel = mizan.boardChat.useChannel({ board_id: boardId }, (line) => setLines((before) => [...before, line].slice(-100)));
  const presence = mizan.boardChat.usePresence({ board_id: boardId });
  const here = [...new Set(presence.members.map((member) => member.user))].sort();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.boardChat.send({ board_id: boardId }, text);
      setText("");
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section className="card chat">
      <h2>
        Chat <span className={`status status-${channel.status}`}>{channel.status}</span>
      </h2>
      <p id="chat-here" className="muted">
        Here: {here.join(", ")}
      </p>
      {channel.recovered === true && <p className="muted">Reconnected: the lines said meanwhile are below.</p>}
      {channel.recovered === false && <p className="muted">Reconnected: some lines were missed.</p>}
      <ol id="chat-lines">
        {lines.map((line, i) => (
          <li key={i}>
            <strong>{line.user}</strong> {line.text}
          </li>
        ))}
      </ol>
      <form onSubmit={send} className="row">
        <input name="chat" value={text} onChange={(e) => setText(e.target.value)} placeholder="Say something" maxLength={500} />
        <button type="submit" disabled={text.trim() === ""}>
          Send
        </button>
      </form>
      <ErrorNote error={channel.error ?? error} />
    </section>
  );
}
