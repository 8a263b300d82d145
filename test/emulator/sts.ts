// A local stand-in for AWS STS (Node): AssumeRole, whose SigV4 signature (service "sts") is
// checked by the same code that checks InvokeAgent's (sigv4.ts), and AssumeRoleWithWebIdentity,
// whose token is checked. Issued credentials expire, are registered with the agent runtime
// emulator so that calls signed with them go through, and can be revoked or expired early.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { DEFAULT_CREDENTIALS, WEB_IDENTITY_TOKENS, type EmulatorCredential } from "./credentials.ts";
import type { Emulator } from "./server.ts";
import { verifySigV4 } from "./sigv4.ts";

export interface StsEmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Keys that may sign AssumeRole, besides STATIC_CREDENTIALS, TEMPORARY_CREDENTIALS and what it issued. */
  credentials?: EmulatorCredential[];
  /** Where issued credentials are registered (and revoked): the agent runtime emulator. */
  agentRuntime?: Pick<Emulator, "addCredentials" | "removeCredentials">;
  /** The clock (ms since epoch). */
  now?: () => number;
}

/** One call as the emulator saw it; no secret, token or signature. */
export interface StsCall {
  action: string;
  /** The selector from the path, "" for none. */
  scenario: string;
  roleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  durationSeconds?: number;
  /** The key id that signed the call; absent when unsigned. */
  signedBy?: string;
  status: number;
  errorCode?: string;
  /** The key id of the credentials issued. */
  issued?: string;
  time: string;
}

export interface StsEmulator {
  url: string;
  calls: StsCall[];
  /**
   * Makes the agent runtime refuse what was issued for a role: `revoke` (UnrecognizedClientException,
   * as for a deleted role session) or `expire` (ExpiredTokenException). Returns how many.
   */
  revoke(roleArn: string, how?: "revoke" | "expire"): number;
  /** Forgets the calls. */
  reset(): void;
  close(): Promise<void>;
}

interface Issued extends EmulatorCredential {
  roleArn: string;
}

const VERSION = "2011-06-15";
const NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@/-]+)$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROUTE = /^(?:\/scenario\/([^/]+))?\/?$/;
// As STS sends them: most are 400 Sender errors, whatever they mean.
const ERROR_STATUS: Record<string, number> = {
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  IncompleteSignature: 403,
  MissingAuthenticationToken: 403,
  RegionDisabledException: 403,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};
// sigv4.ts speaks the agent runtime's codes; STS has its own for the same failures.
const AUTH_CODES: Record<string, string> = {
  UnrecognizedClientException: "InvalidClientTokenId",
  InvalidSignatureException: "SignatureDoesNotMatch",
  IncompleteSignatureException: "IncompleteSignature",
  MissingAuthenticationTokenException: "MissingAuthenticationToken",
  ExpiredTokenException: "ExpiredToken",
};

/**
 * Scenario selectors, comma-separated in the path (`{url}/scenario/lifetime:240,slow:200`):
 * - `lifetime:<s>`: issued credentials expire in s seconds (default: DurationSeconds, else 3600);
 * - `slow:<ms>`: answer after ms;
 * - `error:<Code>[:status]`: fail with that STS error (status from the code, else 400);
 * - `unregistered`: issue credentials the agent runtime does not know (always rejected).
 */
interface Scenario {
  lifetimeSeconds?: number;
  delayMs: number;
  error?: { code: string; status: number };
  unregistered: boolean;
}

function parseScenario(selector: string): Scenario {
  const scenario: Scenario = { delayMs: 0, unregistered: false };
  for (const part of selector.split(",").filter(Boolean)) {
    const [name, arg, extra] = part.split(":");
    if (name === "lifetime") scenario.lifetimeSeconds = Number(arg);
    else if (name === "slow") scenario.delayMs = Number(arg);
    else if (name === "error") scenario.error = { code: arg!, status: Number(extra) || ERROR_STATUS[arg!] || 400 };
    else if (name === "unregistered") scenario.unregistered = true;
    else throw new Error(`unknown STS scenario ${part}`);
  }
  return scenario;
}

export async function startStsEmulator(options: StsEmulatorOptions = {}): Promise<StsEmulator> {
  const now = options.now ?? Date.now;
  const calls: StsCall[] = [];
  const issued = new Map<string, Issued>();
  const sockets = new Set<Socket>();

  function send(res: ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml), "x-amzn-requestid": randomUUID() });
    res.end(xml);
  }

  function sendError(res: ServerResponse, status: number, code: string, message: string): void {
    const type = status >= 500 ? "Receiver" : "Sender";
    send(
      res,
      status,
      `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${escape(code)}</Code>\n` +
        `    <Message>${escape(message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
    );
  }

  /** New temporary credentials for a role, registered with the agent runtime unless told not to. */
  function issue(roleArn: string, lifetimeSeconds: number, scenario: Scenario): Issued {
    const credential: Issued = {
      roleArn,
      accessKeyId: `ASIA${randomBytes(10).toString("hex").toUpperCase().slice(0, 16)}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(120).toString("base64")}`,
      expiresAt: now() + lifetimeSeconds * 1000,
    };
    issued.set(credential.accessKeyId, credential);
    if (!scenario.unregistered) options.agentRuntime?.addCredentials(withoutRole(credential));
    return credential;
  }

  async function handleAction(req: IncomingMessage, res: ServerResponse, scenarioLabel: string, body: Buffer): Promise<void> {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2) as [string, string?];
    const params = new URLSearchParams(rawQuery);
    if (String(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
      for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params.set(name, value);
    }
    const action = params.get("Action") ?? "";
    const call: StsCall = { action, scenario: scenarioLabel, status: 0, time: new Date(now()).toISOString() };
    calls.push(call);
    const fail = (status: number, code: string, message: string) => {
      Object.assign(call, { status, errorCode: code });
      sendError(res, status, code, message);
    };

    let scenario: Scenario;
    try {
      scenario = parseScenario(scenarioLabel);
    } catch (error) {
      return fail(400, "ValidationError", (error as Error).message);
    }
    if (scenario.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, scenario.delayMs));

    if (action !== "AssumeRole" && action !== "AssumeRoleWithWebIdentity") {
      return fail(400, "InvalidAction", `Could not find operation ${action} for version ${params.get("Version") ?? "NO_VERSION_SPECIFIED"}`);
    }
    if (params.get("Version") !== VERSION) return fail(400, "InvalidAction", `Could not find operation ${action} for version ${params.get("Version")}`);
    const roleArn = params.get("RoleArn") ?? "";
    const sessionName = params.get("RoleSessionName") ?? "";
    const duration = params.has("DurationSeconds") ? Number(params.get("DurationSeconds")) : undefined;
    Object.assign(call, { roleArn, roleSessionName: sessionName });
    if (params.has("ExternalId")) call.externalId = params.get("ExternalId")!;
    if (duration !== undefined) call.durationSeconds = duration;

    if (action === "AssumeRole") {
      const auth = await verifySigV4(
        { method: req.method ?? "", rawPath, rawQuery, headers: req.headersDistinct as Record<string, string[]>, body },
        { credentials: [...DEFAULT_CREDENTIALS, ...(options.credentials ?? []), ...issued.values()], service: "sts", maxSkewMs: 5 * 60_000, now },
      );
      if (auth) {
        const code = AUTH_CODES[auth.errorType] ?? auth.errorType;
        return fail(code === "ExpiredToken" ? 400 : 403, code, auth.message);
      }
      call.signedBy = /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1];
    } else {
      const token = params.get("WebIdentityToken") ?? "";
      if (!(WEB_IDENTITY_TOKENS as readonly string[]).includes(token)) {
        return fail(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements");
      }
    }
    const arn = ROLE_ARN.exec(roleArn);
    if (!arn) return fail(400, "ValidationError", `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`);
    if (!SESSION_NAME.test(sessionName)) {
      return fail(400, "ValidationError", `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
    }
    if (duration !== undefined && !(Number.isInteger(duration) && duration >= 900 && duration <= 43200)) {
      return fail(400, "ValidationError", "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint");
    }
    if (scenario.error) {
      const { code, status } = scenario.error;
      const message =
        code === "AccessDenied"
          ? `User: arn:aws:iam::${arn[1]}:user/emulator is not authorized to perform: sts:${action} on resource: ${roleArn}`
          : code === "Throttling"
            ? "Rate exceeded"
            : `The emulator was told to fail with ${code}`;
      return fail(status, code, message);
    }

    const credential = issue(roleArn, scenario.lifetimeSeconds ?? duration ?? 3600, scenario);
    call.status = 200;
    call.issued = credential.accessKeyId;
    const roleName = arn[2]!.split("/").pop()!;
    const user =
      `<AssumedRoleUser>\n      <AssumedRoleId>AROAEMULATOR0EXAMPLE:${escape(sessionName)}</AssumedRoleId>\n` +
      `      <Arn>arn:aws:sts::${arn[1]}:assumed-role/${escape(roleName)}/${escape(sessionName)}</Arn>\n    </AssumedRoleUser>`;
    const webIdentity =
      action === "AssumeRoleWithWebIdentity"
        ? "\n    <SubjectFromWebIdentityToken>repo:example/agent</SubjectFromWebIdentityToken>" +
          "\n    <Audience>sts.amazonaws.com</Audience>\n    <Provider>https://token.emulator.example</Provider>"
        : "";
    send(
      res,
      200,
      `<${action}Response xmlns="${NS}">\n  <${action}Result>${webIdentity}\n    ${user}\n    <Credentials>\n` +
        `      <AccessKeyId>${credential.accessKeyId}</AccessKeyId>\n` +
        `      <SecretAccessKey>${escape(credential.secretAccessKey)}</SecretAccessKey>\n` +
        `      <SessionToken>${escape(credential.sessionToken!)}</SessionToken>\n` +
        `      <Expiration>${new Date(credential.expiresAt!).toISOString().replace(/\.\d{3}Z$/, "Z")}</Expiration>\n` +
        `    </Credentials>\n  </${action}Result>\n` +
        `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`,
    );
  }

  function revoke(roleArn: string, how: "revoke" | "expire" = "revoke"): number {
    let count = 0;
    for (const credential of issued.values()) {
      if (credential.roleArn !== roleArn) continue;
      count++;
      if (how === "expire") {
        credential.expiresAt = Math.min(credential.expiresAt!, now());
        options.agentRuntime?.addCredentials(withoutRole(credential));
      } else {
        issued.delete(credential.accessKeyId);
        options.agentRuntime?.removeCredentials(credential.accessKeyId);
      }
    }
    return count;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://sts");
    if (url.pathname.startsWith("/__sts/")) {
      const roleArn = url.searchParams.get("roleArn");
      const json = (value: unknown) => {
        const text = JSON.stringify(value);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method === "GET" && url.pathname === "/__sts/calls") return json(calls.filter((c) => !roleArn || c.roleArn === roleArn));
      if (req.method === "POST" && url.pathname === "/__sts/revoke" && roleArn) {
        return json({ revoked: revoke(roleArn, url.searchParams.get("how") === "expire" ? "expire" : "revoke") });
      }
      if (req.method === "POST" && url.pathname === "/__sts/reset") {
        calls.length = 0;
        return json({ ok: true });
      }
      res.writeHead(404).end();
      return;
    }
    const match = ROUTE.exec(url.pathname);
    if (!match || (req.method !== "POST" && req.method !== "GET")) return sendError(res, 404, "InvalidAction", `No operation at ${req.method} ${url.pathname}`);
    await handleAction(req, res, match[1] === undefined ? "" : decodeURIComponent(match[1]), body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, "InternalFailure", `emulator bug: ${String(error)}`);
      else res.destroy();
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    calls,
    revoke,
    reset: () => void (calls.length = 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function withoutRole({ roleArn: _, ...credential }: Issued): EmulatorCredential {
  return credential;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
