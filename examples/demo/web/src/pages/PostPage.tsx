import { useState, type FormEvent } from "react";
import { ErrorNote, SourceBadge, useViewer, when } from "../components";
import { mizan } from "../mizan/react";
import { Link } from "../router";

export function PostPage({ postId }: { postId: number }) {
  const viewer = useViewer();
  const page = mizan.postDetail.useQuery({ post_id: postId });
  const comment = mizan.addComment.useMutation();
  const [text, setText] = useState("");
  if (page.isPending) return <p className="muted">Loading…</p>;
  if (page.isError) return <ErrorNote error={page.error} />;
  const { post, comments } = page.data;
  const canEdit = viewer !== null && (viewer.user === post.author || viewer.perms.includes("posts.edit_any"));
  const send = (event: FormEvent) => {
    event.preventDefault();
    comment.mutate({ post_id: post.id, body: text }, { onSuccess: () => setText("") });
  };
  return (
    <article className="card wide">
      <p>
        <Link to={`/boards/${post.board_id}`}>← board</Link>
      </p>
      <header className="row">
        <h1 id="post-title">
          {post.title} <SourceBadge fn="post_detail" />
        </h1>
        {canEdit && (
          <Link to={`/posts/${post.id}/edit`} className="button">
            Edit
          </Link>
        )}
      </header>
      <p className="muted">
        {post.author} · {when(post.created_at)}
      </p>
      <p className="body">{post.body}</p>
      <h2>Comments</h2>
      <ul className="comments">
        {comments.map((c) => (
          <li key={c.id}>
            <strong>{c.author}</strong> {c.body} <span className="muted">· {when(c.created_at)}</span>
          </li>
        ))}
      </ul>
      {viewer?.perms.includes("posts.write") === true && (
        <form onSubmit={send} className="row">
          <input name="comment" value={text} onChange={(e) => setText(e.target.value)} placeholder="Add a comment" />
          <button type="submit" disabled={comment.isPending || text.trim() === ""}>
            Comment
          </button>
        </form>
      )}
      <ErrorNote error={comment.error} />
    </article>
  );
}
