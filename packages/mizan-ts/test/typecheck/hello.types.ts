// Compiled by test/codegen.test.ts with tsc --strict over the code generated from the
// hello server's schema. Each @ts-expect-error must be an error, or tsc reports it unused.
import {
  createMizan,
  type ChatMessage,
  type ContactSubmitInput,
  type GreetInput,
  type GreetOutput,
  type GreetStrictlyError,
} from "../.generated/hello/client.js";
import { HomeProvider, mizan } from "../.generated/hello/react.js";

const api = createMizan({ baseUrl: "http://localhost/mizan" });

export async function typedCalls(): Promise<string> {
  const greeting: GreetOutput = await api.greet.query({ name: "Ada" });
  const me: string = await api.whoami.query();
  const token = await api.mizan.token.mutate({ user: "ada", password: "mizan" });
  const reset: boolean = await api.resetGreetings.mutate();
  const home = await api.$compose.homePage({ greet: { name: "Ada" } });
  if (home.greet.ok) home.greet.data.message.toUpperCase();
  return `${greeting.message} ${me} ${token.expires_at.toFixed()} ${String(reset)}`;
}

export async function signIn(): Promise<void> {
  const issued = await api.$client.login({ user: "ada", password: "mizan" });
  issued.expires_at.toFixed();
  // @ts-expect-error login takes mizan.token's credentials: misspelt fields do not compile
  await api.$client.login({ usr: "ada", pasword: "mizan" });
  await api.mizan.logout.mutate();
  await api.$client.logout();
}

export async function wrongInputs(): Promise<void> {
  // @ts-expect-error name must be a string
  await api.greet.query({ name: 42 });
  // @ts-expect-error name is required
  await api.greet.query({});
  // @ts-expect-error greet is a query: it has no mutate
  await api.greet.mutate({ name: "Ada" });
  // @ts-expect-error the output has no such member
  (await api.greet.query({ name: "Ada" })).greeting;
  // @ts-expect-error home_page has no member posts
  await api.$compose.homePage({ posts: null });
}

// The union generated from the schema hello really serves (#[derive(mizan::TypedError)]).
export function typedErrors(error: GreetStrictlyError): string {
  const reserved: GreetStrictlyError = { kind: "reserved", name: "mizan" };
  // @ts-expect-error too_long carries max, a number
  const wrong: GreetStrictlyError = { kind: "too_long", max: "20" };
  // @ts-expect-error no such kind
  const unknown: GreetStrictlyError = { kind: "taken" };
  void [reserved, wrong, unknown];
  switch (error.kind) {
    case "reserved":
      return error.name;
    case "too_long":
      // @ts-expect-error name belongs to the reserved case
      void error.name;
      return error.max.toFixed();
  }
}

export function TypedErrorHook(): null {
  const strict = mizan.greetStrictly.useQuery({ name: "Ada" });
  if (strict.error?.details?.kind === "too_long") strict.error.details.max.toFixed();
  // @ts-expect-error the details are the typed union: reserved has no max
  if (strict.error?.details?.kind === "reserved") strict.error.details.max.toFixed();
  return null;
}

export function Hooks(): null {
  const input: GreetInput = { name: "Ada" };
  const query = mizan.greet.useQuery(input);
  const message: string | undefined = query.data?.message;
  const mutation = mizan.resetGreetings.useMutation();
  mutation.mutate(null);
  // @ts-expect-error useQuery takes the function's input type
  mizan.greet.useQuery({ nom: "Ada" });
  // @ts-expect-error the provider's inputs are typed per member
  HomeProvider({ inputs: { greet: { name: 1 } } });
  void message;
  return null;
}

export async function channels(): Promise<void> {
  const sub = api.chat.subscribe({ room: 1 }, (line: ChatMessage) => line.text.toUpperCase());
  await sub.ready;
  await api.chat.send({ room: 1 }, "hello");
  api.mizanRevisions.subscribe(null, (message) => Object.keys(message.revisions));
  api.$channels.onStatusChange((status) => status === "open");
  // @ts-expect-error room is a number
  api.chat.subscribe({ room: "lobby" }, () => undefined);
  // @ts-expect-error chat's client messages are strings
  await api.chat.send({ room: 1 }, { text: "hello" });
  // @ts-expect-error mizan_revisions is one-way: no send
  await api.mizanRevisions.send(null, {});
  createMizan({ baseUrl: "/mizan", channels: { liveRevisions: true, heartbeatMs: 5000 } });
  // The browser's WebSocket fits the injectable constructor.
  createMizan({ baseUrl: "/mizan", channels: { WebSocket } });
}

export function ChannelAndFormHooks(): null {
  const chat = mizan.chat.useChannel({ room: 1 }, (line) => line.user.toUpperCase());
  const open: boolean = chat.status === "open";
  // @ts-expect-error room is a number
  mizan.chat.useChannel({ room: "1" }, () => undefined);
  const here: string[] = mizan.room.usePresence({ room: 1 }).members.map((member) => member.user);
  const recovered: boolean | null = mizan.room.useChannel({ room: 1 }, (line) => line.text).recovered;
  // @ts-expect-error chat keeps no presence: no usePresence
  mizan.chat.usePresence({ room: 1 });
  void [here, recovered];
  const form = mizan.contact.useForm({ initialValues: { topic: "sales" } });
  form.setValue("age", 30);
  form.setValue("topic", "support");
  // @ts-expect-error age is a number
  form.setValue("age", "thirty");
  // @ts-expect-error topic is one of the choices
  form.setValue("topic", "billing");
  // @ts-expect-error no such field
  form.setValue("nickname", "x");
  const values: Partial<ContactSubmitInput> = form.values;
  void form.submit().then((received) => received?.name.toUpperCase());
  void [open, values, api.contact.check({ name: "A" }).map((e) => e.code)];
  return null;
}
