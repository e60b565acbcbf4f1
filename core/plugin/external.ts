/**
 * External-command plugins: a program declared in a plugins file, spoken to
 * with one JSON request on stdin and one JSON response on stdout
 * (`kaizen.plugin/v1`), in the manner of protoc and kubectl plugins. This is
 * how teams extend the stock compiled binary without rebuilding it.
 *
 * Each hook call runs the command once: no shell, cwd at the repo root, a
 * scrubbed environment, a deadline, and a cap on what it may print. Every
 * failure becomes an {@link ExternalPluginError} with a one-line message;
 * the pipeline turns it into a warning section.
 *
 * @module
 */
import { KaizenError } from "../errors.ts";
import { stripUserinfo } from "../net/userinfo.ts";
import { concatBytes } from "../bytes.ts";
import { readAtMost, readChunks } from "../read_stream.ts";
import type { Bundle } from "../bundle/types.ts";
import { dirname, normalize, resolve } from "../fs/paths.ts";
import { unrefTimer } from "../fs/deadline.ts";
import { printable } from "../text/printable.ts";
import { effectiveCron } from "../time/next_run.ts";
import { formatUtc } from "../time/timezone.ts";
import type {
  Plugin,
  SectionContext,
  SectionOutput,
  SectionPlugin,
  SinkContext,
  SinkPlugin,
} from "./types.ts";
import { PLUGIN_API_VERSION } from "./types.ts";

/** The wire protocol id carried by every request and response. */
export const EXTERNAL_PROTOCOL = "kaizen.plugin/v1";

/** Default per-call deadline. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Most bytes read from a plugin's stdout before it is stopped. */
export const MAX_STDOUT_BYTES = 4 * 1024 * 1024;

/** Grace between SIGTERM and SIGKILL when a plugin is stopped. */
const KILL_GRACE_MS = 1_000;

/** Only the end of stderr is kept: its last line goes into error messages. */
const STDERR_TAIL_BYTES = 64 * 1024;

/** Environment variables whose names match this are withheld unless passed through. */
export const SECRET_ENV_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

/** A section declared by an external plugin. */
export interface ExternalSectionDecl {
  id: string;
  title: string;
  order: number;
  priority?: number;
}

/** A sink declared by an external plugin. */
export interface ExternalSinkDecl {
  name: string;
}

/** One entry of a plugins file's `plugins:` list. */
export interface ExternalPluginDecl {
  name: string;
  /** argv, no shell. A relative `command[0]` containing `/` resolves against the plugins file's folder. */
  command: string[];
  /** Per-call deadline; default {@link DEFAULT_TIMEOUT_MS}. */
  timeout_ms?: number;
  /** Variables passed even though their names look secret (e.g. `WEBHOOK_TOKEN`). */
  env_passthrough?: string[];
  sections?: ExternalSectionDecl[];
  sinks?: ExternalSinkDecl[];
}

/** Test seams for {@link externalPlugin}. */
export interface ExternalPluginOptions {
  /** The parent environment; default `Deno.env.toObject()`. */
  env?: () => Record<string, string>;
}

/**
 * A failed external hook call: code `plugin-hook`, the plugin and hook as
 * data; `message` names them, `detail` is the rest.
 */
export class ExternalPluginError extends KaizenError {
  override name = "ExternalPluginError";
  declare readonly plugin: string;
  declare readonly hook: "collect" | "emit";
  constructor(plugin: string, hook: "collect" | "emit", detail: string, cause?: unknown) {
    super("plugin-hook", detail, { plugin, hook, ...(cause !== undefined ? { cause } : {}) });
  }
}

/** The `context` object of a `collect` request. */
export interface ExternalCollectContext {
  agent: string;
  root: string;
  repo: string;
  /** ISO 8601, UTC, whole seconds. */
  now: string;
  cadence: string | null;
  enabled: boolean | null;
  /** The agent's effective cron (its override, else its cadence's default). */
  cron: string | null;
  timezone: string | null;
  program: string;
}

/**
 * Wraps a declared external command as an ordinary {@link Plugin}: each
 * section's `collect` and each sink's `emit` runs the command once.
 *
 * @example
 * ```ts
 * const plugin = externalPlugin({
 *   name: "recent-commits",
 *   command: ["/usr/local/bin/kaizen-recent-commits"],
 *   sections: [{ id: "recent-commits", title: "Recent commits", order: 350, priority: 15 }],
 * }, "/home/ci/.config/kaizen/plugins.yml");
 * ```
 */
export function externalPlugin(
  decl: ExternalPluginDecl,
  file: string,
  options: ExternalPluginOptions = {},
): Plugin {
  const command = resolveCommand(decl.command, file);
  const timeoutMs = decl.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const passthrough = new Set(decl.env_passthrough ?? []);
  const parentEnv = options.env ?? (() => Deno.env.toObject());
  const call = (hook: "collect" | "emit", cwd: string, request: unknown) =>
    runCommand({
      plugin: decl.name,
      hook,
      command,
      cwd,
      env: scrubEnv(parentEnv(), passthrough),
      timeoutMs,
      request,
    });

  const sections: SectionPlugin[] = (decl.sections ?? []).map((s) => {
    const section: SectionPlugin = {
      id: s.id,
      title: s.title,
      order: s.order,
      async collect(ctx: SectionContext): Promise<SectionOutput> {
        const res = await call("collect", ctx.root, {
          protocol: EXTERNAL_PROTOCOL,
          hook: "collect",
          section: s.id,
          context: collectContext(ctx),
        });
        return sectionOutput(decl.name, res);
      },
    };
    if (s.priority !== undefined) section.priority = s.priority;
    return section;
  });

  const sinks: SinkPlugin[] = (decl.sinks ?? []).map((k) => ({
    name: k.name,
    async emit(bundle: Bundle, ctx: SinkContext): Promise<void> {
      const res = await call("emit", bundle.root, {
        protocol: EXTERNAL_PROTOCOL,
        hook: "emit",
        sink: k.name,
        bundle,
        format: ctx.format,
        rendered: ctx.rendered,
      });
      if (res.ok !== true) {
        throw new ExternalPluginError(
          decl.name,
          "emit",
          'response has neither "ok": true nor "error"',
        );
      }
    },
  }));

  const plugin: Plugin = { name: decl.name, apiVersion: PLUGIN_API_VERSION };
  if (sections.length > 0) plugin.sections = sections;
  if (sinks.length > 0) plugin.sinks = sinks;
  return plugin;
}

/** Resolves a relative `command[0]` (one containing `/`) against the plugins file's folder; bare names use `PATH`. */
export function resolveCommand(command: readonly string[], file: string): string[] {
  const [head, ...rest] = command;
  if (head.includes("/") && !head.startsWith("/")) {
    return [resolve(head, dirname(resolve(file))), ...rest];
  }
  return [head, ...rest];
}

/**
 * The parent environment minus secret-looking names not listed in
 * `passthrough`, and with the credentials taken out of every URL in the
 * values that remain: `NATS_URL=nats://alice:pw@host:4222` reaches the
 * plugin as `nats://host:4222` (also `STATE_HUB_URL`, and any variable whose
 * value carries `user:password@`). Names are not enough: kaizen reads NATS
 * credentials from the URL itself. A variable listed in `passthrough` is
 * passed as it is: the host vouched for it.
 */
export function scrubEnv(
  env: Record<string, string>,
  passthrough: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (passthrough.has(k)) out[k] = v;
    else if (!SECRET_ENV_NAME.test(k)) out[k] = withoutCredentials(k, v);
  }
  return out;
}

/** `user:pw@host:4222` without a scheme (NATS accepts it): up to the last `@`. */
const BARE_USERINFO = /^\s*[^\s/]+@/;

function withoutCredentials(name: string, value: string): string {
  const stripped = stripUserinfo(value);
  if (!/URL$|URI$|URLS$/i.test(name)) return stripped;
  // NATS_URL may be a comma-separated list, each with or without a scheme.
  return stripped.split(",").map((part) =>
    part.includes("://") ? part : part.replace(BARE_USERINFO, "")
  )
    .join(",");
}

function collectContext(ctx: SectionContext): ExternalCollectContext {
  const a = ctx.agentSchedule;
  return {
    agent: ctx.agent,
    root: ctx.root,
    repo: ctx.repo,
    now: formatUtc(ctx.now),
    cadence: a?.cadence ?? null,
    enabled: a ? a.enabled : null,
    cron: a ? effectiveCron(a).cron : null,
    timezone: ctx.schedule?.timezone ?? null,
    program: ctx.program,
  };
}

function sectionOutput(plugin: string, res: Record<string, unknown>): SectionOutput {
  const fail = (detail: string) => new ExternalPluginError(plugin, "collect", detail);
  if (typeof res.content !== "string") {
    throw fail(`response "content" must be a string, got ${kindOf(res.content)}`);
  }
  const out: SectionOutput = { content: res.content };
  if (res.source !== undefined && res.source !== null) {
    if (typeof res.source !== "string") {
      throw fail(`response "source" must be a string, got ${kindOf(res.source)}`);
    }
    const src = normalize(res.source);
    if (res.source.startsWith("/") || src === ".." || src.startsWith("../")) {
      throw fail(
        `response "source" must be a path relative to the repo root, got '${
          printable(res.source)
        }'`,
      );
    }
    out.source = src;
  }
  if (res.data !== undefined) out.data = res.data;
  return out;
}

interface RunSpec {
  plugin: string;
  hook: "collect" | "emit";
  command: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  request: unknown;
}

/**
 * Runs one hook call and returns the parsed response object (protocol
 * checked, `error` turned into a throw). The child runs in its own process
 * group so a timeout also stops anything it started.
 */
async function runCommand(spec: RunSpec): Promise<Record<string, unknown>> {
  const fail = (detail: string, cause?: unknown) =>
    new ExternalPluginError(spec.plugin, spec.hook, detail, cause);
  const shown = printable(spec.command[0], 200);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(spec.command[0], {
      args: spec.command.slice(1),
      cwd: spec.cwd,
      env: spec.env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw fail(`command not found: ${shown}`, err);
    if (err instanceof Deno.errors.PermissionDenied) {
      throw fail(`command is not executable: ${shown}`, err);
    }
    if (err instanceof Deno.errors.NotCapable) {
      throw fail(`running ${shown} is not allowed (kaizen needs --allow-run)`, err);
    }
    throw fail(`cannot run ${shown}: ${printable(errorText(err), 200)}`, err);
  }

  const pid = child.pid;
  const signalGroup = (signal: Deno.Signal) => {
    try {
      Deno.kill(-pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    }
  };
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  let overflow = false;
  const stdoutReader = child.stdout.getReader();
  const stderrReader = child.stderr.getReader();
  const stdoutDone = readCapped(stdoutReader, MAX_STDOUT_BYTES, () => {
    overflow = true;
    signalGroup("SIGKILL");
  });
  const stderrDone = readTail(stderrReader, STDERR_TAIL_BYTES);
  // A plugin may exit without reading its request; that is its business, and
  // its exit status or response says what happened.
  const writer = child.stdin.getWriter();
  const written = writer.write(new TextEncoder().encode(JSON.stringify(spec.request) + "\n"))
    .then(() => writer.close())
    .catch(() => {});

  // The deadline's cheap timer: a process's first `setTimeout` costs Deno ~4 ms.
  const timer = unrefTimer(spec.timeoutMs);
  const deadline = timer.fired.then(() => "timeout" as const);
  const finished = Promise.all([status, stdoutDone, stderrDone]).then(() => "done" as const);
  const outcome = await Promise.race([finished, deadline]);
  timer.cancel();

  // Whether the process itself had ended when time ran out (a grandchild may
  // still hold stdout open); read now, before we signal and await it.
  const exitedByDeadline = exited;
  if (outcome === "timeout") {
    signalGroup("SIGTERM");
    const grace = unrefTimer(KILL_GRACE_MS);
    await Promise.race([status, grace.fired]);
    grace.cancel();
    await Promise.allSettled([stdoutReader.cancel(), stderrReader.cancel()]);
  }
  // Whatever the outcome, nothing the plugin started outlives the call.
  signalGroup("SIGKILL");
  const [st, out, err] = await Promise.all([status, stdoutDone, stderrDone]);
  await written;
  await writer.abort().catch(() => {});

  if (outcome === "timeout") {
    const why = exitedByDeadline ? "it exited but its output was still open" : "process killed";
    throw fail(`timed out after ${spec.timeoutMs} ms (${why})`);
  }
  if (overflow) throw fail(`output exceeded ${MAX_STDOUT_BYTES} bytes (process killed)`);
  if (!st.success) {
    const how = st.signal ? `was killed by ${st.signal}` : `exited with code ${st.code}`;
    const line = lastLine(err);
    throw fail(line ? `${how}: ${printable(line, 200)}` : how);
  }

  const text = new TextDecoder().decode(out ?? new Uint8Array()).trim();
  if (text === "") throw fail("printed no response (expected one JSON object on stdout)");
  let res: unknown;
  try {
    res = JSON.parse(text);
  } catch {
    throw fail(`invalid JSON on stdout: ${printable(text, 60)}`);
  }
  if (typeof res !== "object" || res === null || Array.isArray(res)) {
    throw fail(`response must be a JSON object, got ${kindOf(res)}`);
  }
  const obj = res as Record<string, unknown>;
  if (obj.protocol !== EXTERNAL_PROTOCOL) {
    const got = obj.protocol === undefined
      ? "it is missing"
      : `got ${printable(JSON.stringify(obj.protocol), 60)}`;
    throw fail(`response "protocol" must be "${EXTERNAL_PROTOCOL}"; ${got}`);
  }
  if (obj.error !== undefined && obj.error !== null) {
    const msg = typeof obj.error === "string" ? obj.error : JSON.stringify(obj.error);
    throw fail(printable(msg, 300));
  }
  return obj;
}

/** Reads a stream to its end, or calls `onOverflow` and stops once it passes `cap` bytes. */
async function readCapped(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  cap: number,
  onOverflow: () => void,
): Promise<Uint8Array | null> {
  // Cancelled on timeout, or the pipe broke: what was read is all there is.
  const got = await readAtMost(reader, cap, onOverflow);
  return got.status === "over" ? null : got.bytes;
}

/** Reads a stream to its end, keeping only about its last `keep` bytes. */
async function readTail(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  keep: number,
): Promise<Uint8Array> {
  let chunks: Uint8Array[] = [];
  let total = 0;
  try {
    await readChunks(reader, (chunk) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total > 2 * keep) {
        const all = concatBytes(chunks);
        chunks = [all.subarray(all.length - keep)];
        total = keep;
      }
      return true;
    });
  } catch { /* cancelled */ }
  return concatBytes(chunks);
}

function lastLine(bytes: Uint8Array): string {
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/).map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i] !== "") return lines[i];
  return "";
}

function kindOf(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
