/**
 * `kaizen mcp`: the Model Context Protocol server a scheduled coding-agent
 * session talks to. Agents are prompts (getting one returns the orientation
 * bundle), and prepare / status / record / memory / emit are tools. Every
 * answer is built from the same library calls the CLI makes, for the one
 * repository the server was started on.
 *
 * Safety lives in three places here:
 * - inputs carry agent names, never paths; each is checked against the
 *   agent-name pattern before any library call (so `../x` cannot resolve);
 * - every result passes {@link redactDeep} — the same redactor `prepare`
 *   uses — before it is sent, whatever handler built it;
 * - writes (record_run, add_memory) and sinks exist only when the operator
 *   started the server with `--allow-record` / `--allow-sinks`.
 *
 * @module
 */
// The package's "./*" export maps `types.js` to a missing `types.js.d.ts`; point at the real one.
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { emitToSinks } from "../bundle/emit.ts";
import { prepareBundle } from "../bundle/prepare.ts";
import { KaizenError, mcpErrorOf } from "../errors.ts";
import type { BundleFormat } from "../bundle/types.ts";
import { createSafeReader } from "../fs/safe_read.ts";
import { AGENT_NAME_RE, MANIFEST_PATH } from "../manifest/constants.ts";
import { listSchedule } from "../manifest/listing.ts";
import { loadSchedule } from "../manifest/load.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import { redactSecrets } from "../redact/mod.ts";
import { listAgents, readAgentPrompt } from "../state/agents.ts";
import { memoryPath, metricsDir } from "../state/layout.ts";
import { appendMemoryNote, readMemory } from "../state/memory.ts";
import {
  helixFromEnv,
  metricsError,
  type MetricsProblem,
  readMetrics,
  recordExecution,
} from "../state/metrics/mod.ts";
import { printable, stripControl } from "../text/printable.ts";
import { VERSION } from "../version.ts";
import {
  AddMemoryInput,
  EmitPreparedInput,
  inputSchema,
  parseInput,
  PrepareBundleInput,
  RecordRunInput,
  ScheduleStatusInput,
} from "./inputs.ts";
import { ProtocolServer } from "./protocol_server.ts";

export interface KaizenMcpOptions {
  /** The repository the server is bound to (resolved, real path). */
  root: string;
  registry: PluginRegistry;
  /** Program name used in the bundle's commands. */
  program: string;
  allowRecord: boolean;
  /** Sinks `emit_prepared` delivers to (loaded, and not writing stdout or `--out`). */
  allowSinks: readonly string[];
  /** The command line's options; each allowed sink picks its declared ones (see `emitToSinks`). */
  sinkOptions?: Readonly<Record<string, unknown>>;
  /** The clock; a pinned `--now` makes bundles reproducible. */
  now: () => Date;
  env: (name: string) => string | undefined;
  /** One diagnostic line (stderr). */
  log: (message: string) => void;
}

const SCHEDULE_URI = "kaizen://schedule";
const MEMORY_URI = /^kaizen:\/\/agents\/([^/]+)\/memory$/;
const SUMMARY_URI = /^kaizen:\/\/metrics\/([^/]+)\/summary$/;

/** The session's contract, in two sentences, for the client's system prompt. */
export function instructions(allowRecord: boolean): string {
  const open = "Open each scheduled session with this agent's kaizen prompt " +
    "(or the prepare_bundle tool): it is the orientation bundle for this repository.";
  return allowRecord
    ? `${open} Close it with record_run (how the run went) and add_memory (what the next session should know).`
    : `${open} This server is read-only; the session's record_run and add_memory need a server started with --allow-record.`;
}

/** Builds the server; the caller connects a transport. */
export function createKaizenMcpServer(opts: KaizenMcpOptions): ProtocolServer {
  const server = new ProtocolServer(
    { name: "kaizen", version: VERSION },
    { prompts: {}, tools: {}, resources: {} },
    instructions(opts.allowRecord),
  );
  const warnings = (m: string) => opts.log(m);

  /**
   * Registers a request handler behind the one choke point every answer
   * passes: the request is validated here (a bad one is -32602 with one
   * line naming the field, where the SDK would answer -32603 with a dump of
   * its schema errors), and the result — or the error's message — goes
   * through the redactor before the SDK sends it.
   */
  // deno-lint-ignore no-explicit-any -- the SDK's handler types are generic over its own schemas
  function handle<S extends z.ZodObject<{ method: z.ZodLiteral<string> } & any>, R>(
    schema: S,
    fn: (request: z.infer<S>) => R | Promise<R>,
  ): void {
    const method = (schema.shape.method as z.ZodLiteral<string>).value;
    const loose = z.looseObject({ method: z.literal(method) }) as unknown as S;
    server.setRequestHandler(loose, async (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue.path.filter((p) => p !== "params").join(".");
        throw new RpcError(
          ErrorCode.InvalidParams,
          `invalid ${method} request: ${where ? `${where}: ` : ""}${issue.message}`,
        );
      }
      try {
        return await redactDeep(await fn(parsed.data)) as never;
      } catch (err) {
        const answer = mcpErrorOf(err, method === "resources/read" ? "resource" : "request");
        const message = await redactDeep(printable(answer.message, 300));
        if (!answer.internal) throw new RpcError(answer.code, message);
        opts.log(`${method} failed: ${message}`);
        throw new RpcError(answer.code, `${method} failed: ${message}`);
      }
    });
  }

  handle(ListPromptsRequestSchema, async () => {
    const agents = await listAgents(opts.root, warnings);
    const prompts = [];
    for (const a of agents) {
      const read = await readAgentPrompt(opts.root, a.name, warnings);
      prompts.push({
        name: a.name,
        description: read.ok ? describePrompt(read.text) : `kaizen agent ${a.name}`,
        arguments: [{
          name: "max_tokens",
          description: "Token budget for the bundle (a positive whole number)",
          required: false,
        }],
      });
    }
    return ({ prompts });
  });

  handle(GetPromptRequestSchema, async (req) => {
    const raw = req.params.arguments?.max_tokens;
    let maxTokens: number | undefined;
    if (raw !== undefined && raw !== "") {
      if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
        throw new KaizenError("invalid-input", "max_tokens must be a positive whole number");
      }
      maxTokens = Number(raw);
    }
    // The description's read overlaps the bundle's.
    const [prepared, read] = await Promise.all([
      prepare(req.params.name, "markdown", maxTokens),
      readAgentPrompt(opts.root, req.params.name),
    ]);
    return ({
      description: read.ok ? describePrompt(read.text) : `kaizen agent ${req.params.name}`,
      messages: [{ role: "user", content: { type: "text", text: prepared.rendering.text } }],
    });
  });

  // -- tools ---------------------------------------------------------------

  interface Tool {
    description: string;
    model: z.ZodType;
    call(args: never): Promise<CallToolResult>;
  }
  const tools = new Map<string, Tool>();
  const tool = <M extends z.ZodType>(
    name: string,
    description: string,
    model: M,
    call: (args: z.infer<M>) => Promise<CallToolResult>,
  ) => tools.set(name, { description, model, call: call as Tool["call"] });

  tool(
    "prepare_bundle",
    "The orientation bundle for one agent run (the same as `kaizen schedule prepare`), redacted.",
    PrepareBundleInput,
    async ({ agent, format, max_tokens }) => {
      const fmt: BundleFormat = format ?? "markdown";
      const prepared = await prepare(agent, fmt, max_tokens);
      if (fmt === "markdown") return { content: [{ type: "text", text: prepared.rendering.text }] };
      return {
        content: [{ type: "text", text: prepared.rendering.text }],
        // The scanned text, not `rendering.bundle`: only the text passed the final scan whole.
        structuredContent: JSON.parse(prepared.rendering.text),
      };
    },
  );
  tool(
    "schedule_status",
    "Whether .kaizen/schedule.yml is valid (its diagnostics) and each agent's cadence, cron, zone and next runs.",
    ScheduleStatusInput,
    async () => {
      const loaded = await loadSchedule(opts.root);
      const diagnostics = loaded.diagnostics.map((d) => ({
        severity: d.severity,
        code: d.code,
        message: d.message,
        line: d.line,
        col: d.col,
      }));
      const status = {
        file: MANIFEST_PATH,
        exists: loaded.exists,
        valid: loaded.schedule !== undefined,
        diagnostics,
        ...(loaded.schedule
          ? listSchedule(loaded.schedule, {
            now: opts.now(),
            count: 3,
            all: true,
            file: MANIFEST_PATH,
          })
          : {}),
      };
      return structured(status);
    },
  );
  if (opts.allowRecord) {
    tool(
      "record_run",
      "Record how this run went (as `kaizen metrics record`); returns the agent's new summary.",
      RecordRunInput,
      async (input) => {
        const helix = helixFromEnv(opts.env);
        if (!helix.ok) return metricsRefusal(helix);
        const result = await recordExecution(opts.root, input.agent, {
          success: input.success,
          time_seconds: input.time_seconds,
          quality: input.quality,
          notes: input.notes,
          helix: helix.helix,
        }, { now: opts.now() });
        if (!result.ok) return metricsRefusal(result);
        return structured({ summary: result.summary, redactions: result.redactions });
      },
    );
    tool(
      "add_memory",
      "Append a dated note to the agent's project memory (as `kaizen memory add`), redacted first.",
      AddMemoryInput,
      async ({ agent, note }) => {
        const r = await appendMemoryNote(opts.root, agent, note, opts.now());
        if (!r.ok) return toolError(r.message);
        return structured({
          path: r.path,
          created: r.created,
          redactions: r.redactions,
          entry: r.entry,
        });
      },
    );
  }
  if (opts.allowSinks.length > 0) {
    tool(
      "emit_prepared",
      `Prepare the agent's bundle and deliver it to ${opts.allowSinks.join(" and ")}.`,
      EmitPreparedInput,
      async ({ agent }) => {
        const prepared = await prepare(agent, "markdown");
        const lines: string[] = [];
        const results = await emitToSinks(prepared.rendering, {
          sinks: opts.allowSinks.map((name) => opts.registry.sink(name)!),
          format: "markdown",
          redact: prepared.redact,
          report: (m) => lines.push(m),
          print: (t) => lines.push(t),
          options: opts.sinkOptions,
          env: opts.env,
          everySink: true,
        });
        for (const l of lines) opts.log(l);
        return structured({ results }, results.some((r) => !r.ok));
      },
    );
  }

  // The tool set is fixed for the server's lifetime: its listing is built once.
  const listing = [...tools].map(([name, t]) => ({
    name,
    description: t.description,
    inputSchema: inputSchema(t.model),
  }));
  handle(ListToolsRequestSchema, () => ({ tools: listing }));

  handle(CallToolRequestSchema, async (req) => {
    const name = req.params.name;
    const t = tools.get(name);
    if (!t) {
      if (name === "record_run" || name === "add_memory") {
        return toolError(
          `${name} is disabled: this server is read-only (start kaizen mcp with --allow-record)`,
        );
      }
      if (name === "emit_prepared") {
        return toolError("emit_prepared is disabled: start kaizen mcp with --allow-sinks");
      }
      throw new KaizenError("invalid-input", `unknown tool '${printable(name, 80)}'`);
    }
    const input = parseInput(t.model, req.params.arguments);
    if (!input.ok) return toolError(input.message);
    try {
      return await t.call(input.value as never);
    } catch (err) {
      // A refusal is the tool's answer; anything else is logged and said to have failed.
      const answer = mcpErrorOf(err);
      if (!answer.internal) return toolError(answer.message);
      const message = `${name} failed: ${printable(answer.message, 300)}`;
      opts.log(message);
      return toolError(message);
    }
  });

  // -- resources -------------------------------------------------------------

  handle(ListResourcesRequestSchema, async () => {
    const resources: { uri: string; name: string; description: string; mimeType: string }[] = [{
      uri: SCHEDULE_URI,
      name: "schedule",
      description: "This repository's .kaizen/schedule.yml",
      mimeType: "application/yaml",
    }];
    for (const a of await listAgents(opts.root, warnings)) {
      if (await exists(`${opts.root}/${memoryPath(a.name)}`)) {
        resources.push({
          uri: `kaizen://agents/${a.name}/memory`,
          name: `${a.name} memory`,
          description: `Project memory of the ${a.name} agent`,
          mimeType: "text/markdown",
        });
      }
      if (await exists(`${opts.root}/${metricsDir(a.name)}`)) {
        resources.push({
          uri: `kaizen://metrics/${a.name}/summary`,
          name: `${a.name} metrics summary`,
          description: `Run statistics of the ${a.name} agent`,
          mimeType: "application/json",
        });
      }
    }
    return ({ resources });
  });

  handle(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: "kaizen://agents/{agent}/memory",
        name: "agent memory",
        mimeType: "text/markdown",
      },
      {
        uriTemplate: "kaizen://metrics/{agent}/summary",
        name: "agent metrics summary",
        mimeType: "application/json",
      },
    ],
  }));

  handle(ReadResourceRequestSchema, async (req) => {
    const uri = req.params.uri;
    const text = await readResource(uri);
    const mimeType = uri === SCHEDULE_URI
      ? "application/yaml"
      : MEMORY_URI.test(uri)
      ? "text/markdown"
      : "application/json";
    return ({ contents: [{ uri, mimeType, text }] });
  });

  async function readResource(uri: string): Promise<string> {
    if (uri === SCHEDULE_URI) {
      const read = await (await createSafeReader(opts.root)).readText(MANIFEST_PATH);
      if (read.status === "ok") return read.text;
      throw notFound(
        read.status === "missing"
          ? `${MANIFEST_PATH} does not exist (kaizen schedule init creates it)`
          : `${MANIFEST_PATH} cannot be read: ${read.reason}`,
      );
    }
    const memory = MEMORY_URI.exec(uri);
    if (memory) {
      const agent = agentName(memory[1]);
      const r = await readMemory(opts.root, agent);
      if (r.ok) return r.text;
      throw notFound(r.message);
    }
    const summary = SUMMARY_URI.exec(uri);
    if (summary) {
      const agent = agentName(summary[1]);
      // Metrics that cannot be read (or an unknown agent's) are "resource not found": mcpErrorOf.
      const r = await readMetrics(opts.root, agent, { now: opts.now(), latest: 0 });
      if (!r.ok) throw metricsError(r);
      if (!r.exists) throw notFound(`no runs recorded for ${agent} yet`);
      return JSON.stringify(r.summary, null, 2) + "\n";
    }
    throw notFound(`unknown resource '${printable(uri, 120)}'`);
  }

  function prepare(agent: string, format: BundleFormat, maxTokens?: number) {
    return prepareBundle({
      target: opts.root,
      agent,
      format,
      now: opts.now(),
      maxTokens,
      registry: opts.registry,
      program: opts.program,
      env: opts.env,
      onWarning: (m) => opts.log(m),
    });
  }

  return server;
}

/**
 * What the SDK sends as a JSON-RPC error: its `code` and `message` as they
 * are (the SDK's `McpError` would prefix "MCP error -326xx:" to the message).
 * It is the wire's shape, not a kaizen error: {@link mcpErrorOf} decides its code.
 */
class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** A resource that cannot be served: answered -32002 (resource not found) by {@link mcpErrorOf}. */
function notFound(message: string): KaizenError {
  return new KaizenError("not-found", message);
}

function agentName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw notFound("not an agent name");
  }
  if (!AGENT_NAME_RE.test(name)) {
    throw notFound(`'${printable(name, 80)}' is not an agent name`);
  }
  return name;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

function structured(value: Record<string, unknown>, isError = false): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(value, null, 2) }],
    structuredContent: value,
    ...(isError ? { isError: true } : {}),
  };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** A refused metrics call as the tool's answer: the message of its MCP error (as a thrown one). */
function metricsRefusal(p: MetricsProblem): CallToolResult {
  return toolError(mcpErrorOf(metricsError(p)).message);
}

/** The prompt's first heading and the paragraph after it, as one short line. */
export function describePrompt(markdown: string): string {
  const lines = stripControl(markdown).split("\n");
  let heading = "";
  let paragraph = "";
  let inFence = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith("```")) {
      inFence = !inFence;
      continue;
    }
    if (inFence || line === "---") continue;
    if (!heading && /^#{1,6}\s/.test(line)) {
      heading = line.replace(/^#+\s*/, "");
      continue;
    }
    if (line === "") {
      if (paragraph) break;
      continue;
    }
    if (/^#{1,6}\s/.test(line)) {
      if (paragraph) break;
      continue;
    }
    paragraph += (paragraph ? " " : "") + line;
  }
  const text = [heading, paragraph].filter((s) => s !== "").join(": ");
  return printable(text, 300);
}

/**
 * Every string in `value` through the redactor `prepare` uses. Strings that
 * are already redacted come back unchanged, so the bundle's bytes equal
 * `prepare`'s; anything a handler picked up elsewhere (a memory file written
 * by hand, a sink's error) is caught here before it reaches the client.
 */
export async function redactDeep<T>(value: T): Promise<T> {
  if (typeof value === "string") {
    return (await redactSecrets(value, { source: "mcp" })).text as T;
  }
  if (Array.isArray(value)) return await Promise.all(value.map((v) => redactDeep(v))) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await redactDeep(v);
    return out as T;
  }
  return value;
}
