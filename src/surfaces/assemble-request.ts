// One AgentRequest from what a surface read. Each surface reads only its own shapes (messages,
// input items, content blocks, A2A parts, an MCP tool's arguments) into turns; what every surface
// shares is here, checked in one order: the flags, then the surface's reading, then the session,
// the session settings and the model settings.
import type { AgentRequest, FunctionTool, Turn } from "../parts.ts";
import type { SessionParams } from "../types.ts";
import { agentOptions, checkFlags, sessionOf, withModelSettings } from "./options.ts";

/** The call's parameters the assembler reads: the model, `stream`, and the session settings. */
export interface AssembleParams extends SessionParams {
  model: string;
  stream?: unknown;
}

/** What a surface read from its request, in the neutral shapes. */
export interface SurfaceRead {
  /** The surface's name of its conversation field ("messages", "input"), for errors. */
  param: string;
  /** The turns in order; the last is what the agent answers. */
  turns: Turn[];
  /** System and developer text, in order; default none. */
  instructions?: string[];
  /** Function tools the client offers; default none. */
  tools?: FunctionTool[];
  /** Set by a surface whose method says it (A2A's message/stream); default: the `stream` flag. */
  stream?: boolean;
  /** The end user and model settings as the client gave them (checked here); default none. */
  settings?: ModelSettings;
}

/** Values as given, unchecked; `names` are the params a 400 blames (default `user`, `max_tokens`). */
export interface ModelSettings {
  user?: unknown;
  maxTokens?: unknown;
  temperature?: unknown;
  topP?: unknown;
  names?: { user?: string; maxTokens?: string };
}

export interface SurfaceReader {
  /** The surface's own flags besides `stream` ("store"): checked, before anything else, to be booleans. */
  flags?: readonly string[];
  /** Reads the surface's shapes (its own checks first), after the flags and before the session. */
  read(): SurfaceRead;
}

/** The AgentRequest of a call: the surface's reading, with the model, session and options every surface takes. */
export function assembleRequest(params: AssembleParams, surface: SurfaceReader): AgentRequest {
  checkFlags(params, ["stream", ...(surface.flags ?? [])]);
  const read = surface.read();
  const { settings = {} } = read;
  return {
    model: params.model,
    turns: read.turns,
    instructions: read.instructions ?? [],
    tools: read.tools ?? [],
    sessionId: sessionOf(params),
    stream: read.stream ?? params.stream === true,
    param: read.param,
    options: withModelSettings(agentOptions(params), settings, {
      user: settings.names?.user ?? "user",
      maxTokens: settings.names?.maxTokens ?? "max_tokens",
    }),
  };
}
