import { useState, type FormEvent } from "react";
import { ErrorNote } from "../components";
import { Field, messagesOf } from "../fields";
import type { Post } from "../mizan/client";
import { mizan } from "../mizan/react";
import { navigate } from "../router";

/** Loads the post (a published one, or one of the viewer's drafts), then edits it. */
export function EditPost({ postId }: { postId: number }) {
  const drafts = mizan.myDrafts.useQuery(null);
  const draft = drafts.data?.find((p) => p.id === postId);
  const published = mizan.postDetail.useQuery({ post_id: postId }, { enabled: drafts.isFetched && draft === undefined });
  const post = draft ?? published.data?.post;
  if (post === undefined) return published.isError ? <ErrorNote error={published.error} /> : <p className="muted">Loading…</p>;
  return <Editor key={post.id} post={post} />;
}

function Editor({ post }: { post: Post }) {
  const [title, setTitle] = useState(post.title);
  const [body, setBody] = useState(post.body);
  const [draft, setDraft] = useState(post.draft);
  const edit = mizan.editPost.useMutation();
  const save = (event: FormEvent) => {
    event.preventDefault();
    edit.mutate(
      { post_id: post.id, title, body, draft },
      { onSuccess: (saved) => navigate(saved.draft ? "/" : `/posts/${saved.id}`) },
    );
  };
  const fields = edit.error?.fields ?? [];
  return (
    <section className="card narrow">
      <h1>Edit post</h1>
      <form onSubmit={save} className="stack">
        <Field name="title" label="Title" errors={messagesOf("title", fields, { error: edit.error, value: title })}>
          <input id="title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field name="body" label="Text" errors={messagesOf("body", fields, { error: null, value: body })}>
          <textarea id="body" rows={6} value={body} onChange={(e) => setBody(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} />
          Draft (only you see it)
        </label>
        {edit.error?.code !== "title_taken" && fields.length === 0 && <ErrorNote error={edit.error} />}
        <button type="submit" disabled={edit.isPending}>
          Save
        </button>
      </form>
    </section>
  );
}
