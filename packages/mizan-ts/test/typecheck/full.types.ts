// Compiled by test/codegen.test.ts over the code generated from test/fixtures/full-schema.json.
import {
  createMizan,
  functions,
  type PostsCreateError,
  type PostsGetOutput,
  type PostsListInput,
  type StatsPairOutput,
} from "../.generated/full/client.js";
import { BlogProvider, mizan } from "../.generated/full/react.js";

const api = createMizan({ baseUrl: "http://localhost/mizan" });

export async function shapes(): Promise<void> {
  const post: PostsGetOutput = await api.posts.get.query({ id: 1 });
  const status: "draft" | "published" | "archived" = post.status;
  const pair: [number, number] = post.location;
  const score: number | undefined = post.scores["x"];
  const friendName: string | undefined = post.author?.friends?.[0]?.name;
  const subtitle: string | null | undefined = post.subtitle;
  const kebab: boolean = post["kebab-key"];
  const list: PostsListInput = { page: 1, filter: { kind: "tag", tag: "rust" } };
  const posts = await api.posts.list.query(list);
  const first: string | undefined = posts[0]?.title;
  const tuple: StatsPairOutput = ["a", 1, "b", 2];
  const error: PostsCreateError = { kind: "rate_limited", retry_after: 3 };
  const ttl: 60 = functions["posts.get"].cache.ttlSeconds;
  const reset: boolean = await api.admin.resetAll.mutate();
  const home = await api.$compose.blogHome({ "posts.list": { page: 2 } });
  if (home["posts.list"].ok) home["posts.list"].data.map((p) => p.id);
  void [status, pair, score, friendName, subtitle, kebab, first, tuple, error, ttl, reset];
}

export async function wrong(): Promise<void> {
  // @ts-expect-error Filter is a tagged union: kind "tag" needs a tag
  const list: PostsListInput = { filter: { kind: "tag", id: 1 } };
  // @ts-expect-error the input forbids unknown members (additionalProperties: false)
  const extra: PostsListInput = { page: 1, nope: true };
  // @ts-expect-error status is an enum of three strings
  const status: PostsGetOutput["status"] = "deleted";
  // @ts-expect-error title must be a string
  await api.posts.create.mutate({ title: 1, body: "" });
  void [list, extra, status];
}

export function Hooks(): null {
  const create = mizan.posts.create.useMutation();
  if (create.error?.details?.kind === "duplicate_title") create.error.details.existing_id.toFixed();
  mizan.posts.drafts.useQuery(null);
  BlogProvider({ inputs: { "posts.get": { id: 1 }, "posts.list": {} } });
  // @ts-expect-error posts.create is a mutation: not part of the provider's inputs
  BlogProvider({ inputs: { "posts.create": { title: "t", body: "b" } } });
  return null;
}

export async function channelsAndForms(): Promise<void> {
  api.chatRoom.subscribe({ room: "a", thread: null }, (said) => said.author.name.toUpperCase());
  await api.chatRoom.send({ room: "a" }, { text: "hi" });
  api.postEvents.subscribe({ post_id: 1 }, (event) => (event.kind === "edited" ? event.title : event.kind));
  // @ts-expect-error post_id is a number
  api.postEvents.subscribe({ post_id: "1" }, () => undefined);
  // @ts-expect-error post_events is one-way
  await api.postEvents.send({ post_id: 1 }, null);
  const errors = api.newPost.check({ title: "" });
  errors.map((e) => e.path);
}

export function FormHook(): null {
  const form = mizan.newPost.useForm();
  form.setValue("tags", ["a"]);
  // @ts-expect-error tags is a list of strings
  form.setValue("tags", [1]);
  mizan.postEvents.useChannel({ post_id: 2 }, (event) => event.kind);
  return null;
}
