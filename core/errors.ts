/**
 * kaizen's one error type, and the two places that turn it into something
 * outside the library: an exit code ({@link exitCodeOf}, for the CLI) and a
 * JSON-RPC error ({@link mcpErrorOf}, for the MCP server).
 *
 * An error is data, as Rollup stamps a plugin error: a {@link KaizenErrorCode}
 * (the one discriminant), the message without its place (`detail`), and
 * optional fields that say where it happened (`plugin`, `hook`, `section`,
 * `sink`) and which value was refused (`subject`, `option`). The place is
 * composed here, once ({@link placeOf}), never by the code that throws; a
 * front end that already names the place reads `detail` instead of cutting
 * a prefix off `message`. Wrapping keeps the original as the standard
 * ES2022 `cause`.
 *
 * The library names values the way every front end can read them ("the
 * token budget 50", "notes"); the CLI puts its own option name on them when
 * it renders ({@link renderForCli}: `--max-tokens 50`, `--notes`).
 *
 * This module imports nothing: the CLI loads it at start-up.
 *
 * @module
 */

/** What went wrong; each code has one exit code ({@link exitCodeOf}). */
export type KaizenErrorCode =
  // -- the caller's input (exit 2) --------------------------------------------
  /** Bad command-line input: an unknown option, a malformed value. */
  | "usage"
  /** A value the library refuses (a time out of range, an empty note). */
  | "invalid-input"
  /** A NATS server URL that is not one (`nats://host:port`). */
  | "nats-url"
  // -- the checked thing failed (exit 1) --------------------------------------
  /** A command failed for a reason it has already put in words. */
  | "failed"
  /** The target repository is not a usable directory. */
  | "invalid-target"
  /** An agent name this repository does not know. */
  | "unknown-agent"
  /** The sections that are never cut need more tokens than the budget. */
  | "over-budget"
  /** A plugin object is malformed (name, version, hooks, options). */
  | "plugin-definition"
  /** A plugin's hook failed (an external command's answer, its exit, its deadline). */
  | "plugin-hook"
  /** A sink option's value is of the wrong kind. */
  | "sink-option"
  /** A path leads outside the repository or is not a regular file. */
  | "unsafe-path"
  /** Another writer held the lock without making progress. */
  | "locked"
  /** Something that must exist does not. */
  | "not-found"
  /** Something is already there and was kept (replacing it takes the force option). */
  | "exists"
  /** The operating system refused (no space, read-only, permission, vanished). */
  | "io"
  /** A run's overall deadline passed first. */
  | "deadline"
  /** A service's options are unusable (bad URL, bad token); nothing was sent. */
  | "config"
  /** A service answered with a status that is not a success. */
  | "http"
  /** The connection failed (refused, reset, DNS). */
  | "network"
  /** An attempt got no complete answer in time. */
  | "timeout"
  /** The caller's signal or the overall deadline stopped the work. */
  | "aborted"
  /** A success status with a reply that cannot be used. */
  | "response"
  /** The state hub failed (status, body, shape). */
  | "hub"
  /** A roster source (the hub, a roster file, a scan) gave no roster. */
  | "roster-source"
  /** Publishing to NATS failed (connection, credentials, acknowledgement). */
  | "nats-publish"
  /** The event stream cannot be created or brought in line. */
  | "stream-setup"
  /** `events tail` cannot start. */
  | "tail"
  /** kaizen's events cannot be read from JetStream. */
  | "fleet-read"
  /** A fleet status cannot be made. */
  | "fleet-status"
  /** A runs file or roster message cannot be used. */
  | "expected-runs";

/** The CLI's exit code of each code: 2 for the caller's input, 1 for the rest. */
const EXIT_CODES: Readonly<Record<KaizenErrorCode, 1 | 2>> = {
  usage: 2,
  "invalid-input": 2,
  "nats-url": 2,
  failed: 1,
  "invalid-target": 1,
  "unknown-agent": 1,
  "over-budget": 1,
  "plugin-definition": 1,
  "plugin-hook": 1,
  "sink-option": 1,
  "unsafe-path": 1,
  locked: 1,
  "not-found": 1,
  exists: 1,
  io: 1,
  deadline: 1,
  config: 1,
  http: 1,
  network: 1,
  timeout: 1,
  aborted: 1,
  response: 1,
  hub: 1,
  "roster-source": 1,
  "nats-publish": 1,
  "stream-setup": 1,
  tail: 1,
  "fleet-read": 1,
  "fleet-status": 1,
  "expected-runs": 1,
};

/** Every code, in the order of {@link KaizenErrorCode}. */
export const KAIZEN_ERROR_CODES: readonly KaizenErrorCode[] = Object.freeze(
  Object.keys(EXIT_CODES) as KaizenErrorCode[],
);

/** Where an error happened and which value it refused: data, composed by {@link placeOf}. */
export interface ErrorFields {
  /** The plugin whose hook or definition failed. */
  plugin?: string;
  /** The hook that failed (`collect`, `render`, `emit`). */
  hook?: string;
  /** The section the hook was collecting or rendering. */
  section?: string;
  /** The sink that failed. */
  sink?: string;
  /**
   * How `detail` names the refused value ("notes", "the token budget"); it
   * appears in `detail` word for word, so a front end can put its own name
   * on it (`option`).
   */
  subject?: string;
  /** The command-line option that supplies `subject` (`notes`, `max-tokens`), without dashes. */
  option?: string;
  /** The command path whose `--help` explains the usage (usage errors). */
  helpPath?: readonly string[];
  /** The error this one explains (ES2022 `cause`). */
  cause?: unknown;
}

/**
 * `plugin 'p', hook collect (section 's')` / `plugin 'p', sink 'n'`: the
 * place of an error, or "" when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   placeOf({ plugin: "team", hook: "collect", section: "oncall" }),
 *   "plugin 'team', hook collect (section 'oncall')",
 * );
 * ```
 */
export function placeOf(fields: Pick<ErrorFields, "plugin" | "hook" | "section" | "sink">): string {
  const parts: string[] = [];
  if (fields.plugin !== undefined) parts.push(`plugin '${fields.plugin}'`);
  if (fields.hook !== undefined) {
    parts.push(
      `hook ${fields.hook}${fields.section !== undefined ? ` (section '${fields.section}')` : ""}`,
    );
  } else if (fields.section !== undefined) parts.push(`section '${fields.section}'`);
  if (fields.sink !== undefined) parts.push(`sink '${fields.sink}'`);
  return parts.join(", ");
}

/**
 * kaizen's error: a code, the message without its place (`detail`), where it
 * happened, and what caused it. `message` is the place and the detail, one
 * line, for whoever prints the error as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const spawn = new Error("No such file or directory");
 * const err = new KaizenError("plugin-hook", "exited with status 3", {
 *   plugin: "team",
 *   hook: "collect",
 *   cause: spawn,
 * });
 * assert.equal(err.message, "plugin 'team', hook collect: exited with status 3");
 * assert.equal(err.detail, "exited with status 3");
 * assert.equal(err.cause, spawn);
 * assert.equal(exitCodeOf(err), 1);
 * ```
 */
export class KaizenError extends Error {
  override name = "KaizenError";
  /** What went wrong: the one discriminant. */
  readonly code: KaizenErrorCode;
  /** The message without its place. */
  readonly detail: string;
  readonly plugin?: string;
  readonly hook?: string;
  readonly section?: string;
  readonly sink?: string;
  readonly subject?: string;
  readonly option?: string;
  readonly helpPath?: readonly string[];

  constructor(code: KaizenErrorCode, detail: string, fields: ErrorFields = {}) {
    const place = placeOf(fields);
    super(
      place === "" ? detail : `${place}: ${detail}`,
      "cause" in fields ? { cause: fields.cause } : undefined,
    );
    this.code = code;
    this.detail = detail;
    if (fields.plugin !== undefined) this.plugin = fields.plugin;
    if (fields.hook !== undefined) this.hook = fields.hook;
    if (fields.section !== undefined) this.section = fields.section;
    if (fields.sink !== undefined) this.sink = fields.sink;
    if (fields.subject !== undefined) this.subject = fields.subject;
    if (fields.option !== undefined) this.option = fields.option;
    if (fields.helpPath !== undefined) this.helpPath = fields.helpPath;
  }

  /** The CLI's exit code for this error (see {@link exitCodeOf}). */
  get exitCode(): 1 | 2 {
    return EXIT_CODES[this.code];
  }
}

/**
 * An expected refusal that a library function returns instead of throwing
 * (`{ ok: false, ... }` beside its `{ ok: true, ... }`): a code of the
 * function's own (`C`), a message ready to show, the repo-relative `path`
 * it concerns, and how the message names a refused value (`subject`) with
 * the command-line `option` that supplies it.
 */
export interface Problem<C extends string = string> {
  ok: false;
  code: C;
  message: string;
  path?: string;
  subject?: string;
  option?: string;
}

/**
 * A returned {@link Problem} as the one error type, for a front end that
 * answers with an error: `codes` says which {@link KaizenErrorCode} each of
 * the function's codes is, and so its exit code and MCP answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { problemError } from "./errors.ts";
 *
 * const codes = { "invalid-note": "invalid-input", busy: "locked" } as const;
 * const err = problemError({ ok: false, code: "invalid-note", message: "the note is empty" }, codes);
 * assert.equal(err.code, "invalid-input");
 * assert.equal(err.exitCode, 2);
 * ```
 */
export function problemError<C extends string>(
  p: Problem<C>,
  codes: Readonly<Record<C, KaizenErrorCode>>,
): KaizenError {
  return new KaizenError(codes[p.code], p.message, { subject: p.subject, option: p.option });
}

/** Exit code of an error that is not kaizen's and not the operating system's: a bug. */
export const INTERNAL_EXIT_CODE = 70;

/**
 * The CLI's exit code for anything a command threw: a {@link KaizenError}'s
 * code decides (2 for the caller's input, 1 for the rest); a closed stdout
 * (`| head`) is 0; a denied permission 1; anything else is a bug, 70.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(exitCodeOf(new KaizenError("usage", "unknown option --colour")), 2);
 * assert.equal(exitCodeOf(new KaizenError("unknown-agent", "unknown agent 'x'")), 1);
 * assert.equal(exitCodeOf(new TypeError("x is undefined")), 70);
 * ```
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof KaizenError) return EXIT_CODES[err.code];
  if (err instanceof Deno.errors.BrokenPipe) return 0;
  if (isPermissionError(err)) return 1;
  return INTERNAL_EXIT_CODE;
}

/** The runtime or the operating system denied access (not a bug: exit 1). */
export function isPermissionError(err: unknown): boolean {
  return err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable;
}

/** JSON-RPC's "invalid params" (the request named something unusable). */
export const MCP_INVALID_PARAMS = -32602;
/** MCP's "resource not found" (state that is missing or cannot be read). */
export const MCP_RESOURCE_NOT_FOUND = -32002;
/** JSON-RPC's "internal error". */
export const MCP_INTERNAL_ERROR = -32603;

/** The codes an MCP client caused or can act on, and the JSON-RPC code each is answered with. */
const MCP_REFUSALS: Readonly<Partial<Record<KaizenErrorCode, number>>> = {
  usage: MCP_INVALID_PARAMS,
  "invalid-input": MCP_INVALID_PARAMS,
  "invalid-target": MCP_INVALID_PARAMS,
  "unknown-agent": MCP_INVALID_PARAMS,
  "over-budget": MCP_INVALID_PARAMS,
  exists: MCP_INVALID_PARAMS,
  "not-found": MCP_RESOURCE_NOT_FOUND,
  "unsafe-path": MCP_RESOURCE_NOT_FOUND,
  locked: MCP_RESOURCE_NOT_FOUND,
  io: MCP_RESOURCE_NOT_FOUND,
};

/** How the MCP server answers an error. */
export interface McpErrorAnswer {
  /** The JSON-RPC error code. */
  code: number;
  /** The error's first line, as the library said it (no command-line flags). */
  message: string;
  /**
   * True for anything that is not a refusal the client can act on: the
   * server logs it and says which request failed; a tool call answers it
   * as a failed tool result rather than with the message alone.
   */
  internal: boolean;
}

/**
 * The MCP answer for anything a request handler threw: a refusal of the
 * request (a bad agent, a budget too small, metrics that cannot be read) is
 * its message under its JSON-RPC code; anything else is an internal error.
 * A resource read answers every refusal as "resource not found": its URI
 * named something that cannot be served (an unknown agent's summary too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const unknown = new KaizenError("unknown-agent", "unknown agent 'x'");
 * assert.deepEqual(mcpErrorOf(unknown), {
 *   code: -32602,
 *   message: "unknown agent 'x'",
 *   internal: false,
 * });
 * assert.equal(mcpErrorOf(unknown, "resource").code, -32002);
 * assert.equal(mcpErrorOf(new TypeError("bug")).internal, true);
 * ```
 */
export function mcpErrorOf(
  err: unknown,
  request: "request" | "resource" = "request",
): McpErrorAnswer {
  const message = firstLine(err);
  const code = err instanceof KaizenError ? MCP_REFUSALS[err.code] : undefined;
  if (code === undefined) return { code: MCP_INTERNAL_ERROR, message, internal: true };
  return { code: request === "resource" ? MCP_RESOURCE_NOT_FOUND : code, message, internal: false };
}

/** The first line of an error's message (of anything thrown), never empty. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] || "unknown error";
}

/**
 * The message as the CLI prints it: the library's name for the refused value
 * (`subject`) becomes the option that supplies it (`--max-tokens`); when the
 * message does not contain the subject, the option is added at the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const err = new KaizenError("invalid-input", "notes are too long", {
 *   subject: "notes",
 *   option: "notes",
 * });
 * assert.equal(err.message, "notes are too long"); // what an MCP client reads
 * assert.equal(renderForCli(err), "--notes are too long");
 * ```
 */
export function renderForCli(err: KaizenError): string {
  const { message, subject, option } = err;
  if (option === undefined) return message;
  const at = subject === undefined ? -1 : message.indexOf(subject);
  if (subject === undefined || at < 0) return `${message} (--${option})`;
  return `${message.slice(0, at)}--${option}${message.slice(at + subject.length)}`;
}

/**
 * Bad command-line input that `--help` explains: the base of the parser's
 * `UsageError`, whose `helpPath` names the command (exit 2).
 */
export class CommandLineError extends KaizenError {
  constructor(message: string) {
    super("usage", message, { helpPath: [] });
  }
}
