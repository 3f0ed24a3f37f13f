import { ErrorNote } from "../components";
import { Field, messagesOf } from "../fields";
import { forms } from "../mizan/client";
import { mizan } from "../mizan/react";
import { navigate } from "../router";
import { useWritableBoards } from "./writableBoards";

type Constraints = { minLength?: number; maxLength?: number; pattern?: string };
const constraints = (name: string): Constraints => {
  const field = forms.new_post.fields.find((f) => f.name === name);
  return field !== undefined && "constraints" in field ? (field.constraints as Constraints) : {};
};

/**
 * The `new_post` form: the schema's rules are checked here on every change and before
 * anything is sent; the server checks them again and adds what only it knows (a title
 * already taken, a typed error shown at the field).
 */
export function NewPost({ boardId }: { boardId: number | undefined }) {
  const boards = useWritableBoards();
  const form = mizan.newPost.useForm({
    initialValues: boardId === undefined ? {} : { board_id: boardId },
    onSuccess: (post) => navigate(post.draft ? "/" : `/posts/${post.id}`),
  });
  const errors = (name: string) => messagesOf(name, form.errorsOf(name), { error: form.error, value: form.values.title });
  const title = constraints("title");
  const body = constraints("body");
  const typedAtField = form.error?.code === "title_taken";
  return (
    <section className="card narrow">
      <h1>{forms.new_post.title}</h1>
      <form onSubmit={form.handleSubmit} noValidate className="stack" id="new-post">
        <Field name="board_id" label="Board" errors={errors("board_id")}>
          <select
            id="board_id"
            value={form.values.board_id ?? ""}
            onChange={(e) => form.setValue("board_id", e.target.value === "" ? undefined : Number(e.target.value))}
          >
            <option value="">Choose a board</option>
            {boards.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </Field>
        <Field name="title" label="Title" help="4 to 80 characters, starting with a letter or digit." errors={errors("title")}>
          <input
            id="title"
            value={form.values.title ?? ""}
            onChange={(e) => form.setValue("title", e.target.value)}
            required
            minLength={title.minLength}
            maxLength={title.maxLength}
          />
        </Field>
        <Field name="body" label="Text" errors={errors("body")}>
          <textarea
            id="body"
            rows={6}
            value={form.values.body ?? ""}
            onChange={(e) => form.setValue("body", e.target.value)}
            required
            minLength={body.minLength}
            maxLength={body.maxLength}
          />
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.values.draft ?? false} onChange={(e) => form.setValue("draft", e.target.checked)} />
          Save as a draft only you see
        </label>
        {!typedAtField && <ErrorNote error={form.error} />}
        <button type="submit" disabled={form.status === "submitting"}>
          {form.status === "submitting" ? "Posting…" : "Post"}
        </button>
      </form>
    </section>
  );
}
