// The official A2A client (@a2a-js/sdk 1.3.0) as an orchestrator sets it up against the endpoint:
// the key in every request's headers (card and JSON-RPC alike), and, for 0.3, the compat layer.
import { type SendMessageResult, SendMessageRequest, Task, TaskState } from "@a2a-js/sdk";
import { type Client, ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from "@a2a-js/sdk/client";

/** A fetch that sends the key, and keeps every response body it saw (to read the raw SSE). */
export function keyedFetch(key: string | undefined, bodies: string[] = []): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (key !== undefined) headers.set("authorization", `Bearer ${key}`);
    const response = await fetch(input, { ...init, headers });
    const [mine, theirs] = response.body ? response.body.tee() : [null, null];
    if (mine) void new Response(mine).text().then((text) => bodies.push(text), () => {});
    return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** A 1.0 client for /a2a/{model}/ (the trailing slash: the card is resolved relative to it). */
export async function a2aClient(base: string, model: string, key: string | undefined, bodies?: string[]): Promise<Client> {
  const fetchImpl = keyedFetch(key, bodies);
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  );
  return factory.createFromUrl(`${base}/a2a/${encodeURIComponent(model)}/`);
}

/** A 0.3 client: the card as a 0.3 client reads it (no A2A-Version header), spoken through the SDK's compat layer. */
export async function legacyA2aClient(base: string, model: string, key: string): Promise<Client> {
  const fetchImpl = keyedFetch(key);
  const lc = { legacyCompat: { enabled: true } };
  const resolver = new DefaultAgentCardResolver({ fetchImpl, ...lc });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { cardResolver: resolver, transports: [new JsonRpcTransportFactory({ fetchImpl, ...lc })] }),
  );
  const card = await (await fetchImpl(`${base}/a2a/${encodeURIComponent(model)}/.well-known/agent-card.json`)).json();
  return factory.createFromAgentCard(card);
}

/** SendMessage's params for a user message (1.0 JSON shapes, read by the SDK's own reader). */
export function userMessage(parts: unknown[], more: { contextId?: string; taskId?: string; metadata?: Record<string, unknown> } = {}): SendMessageRequest {
  return SendMessageRequest.fromJSON({ message: { messageId: crypto.randomUUID(), role: "ROLE_USER", parts, ...more } });
}

export const text = (value: string) => ({ text: value });

export function asTask(result: SendMessageResult): Task {
  if (!("status" in result)) throw new Error(`expected a Task, got ${JSON.stringify(result)}`);
  return result as Task;
}

/** The text of a task's answer artifact. */
export function answerText(task: Task): string {
  const answer = task.artifacts.find((a) => a.artifactId === "answer");
  return (answer?.parts ?? []).map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
}

/** A status message's data part (the tool calls of an input-required task). */
export function statusData(task: { status?: Task["status"] }): Record<string, unknown> | undefined {
  const part = task.status?.message?.parts.find((p) => p.content?.$case === "data");
  return part?.content?.$case === "data" ? (part.content.value as Record<string, unknown>) : undefined;
}

export { Task, TaskState };
