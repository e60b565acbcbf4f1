/**
 * The bundle pipeline: run every registered section in order, make the
 * content safe (control characters, secrets), count and budget tokens, and
 * assemble one typed {@link Bundle}. Sinks are run by the caller.
 *
 * File system, clock and plugins come in through {@link PipelineInput}, so the
 * same inputs always give the same bundle.
 *
 * @module
 */
import type { SafeReader } from "../fs/safe_read.ts";
import type { LoadedSchedule } from "../manifest/load.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { SectionContext, SectionOutput } from "../plugin/types.ts";
import { printable, stripControl } from "../text/printable.ts";
import { effectiveCron } from "../time/next_run.ts";
import { formatUtc } from "../time/timezone.ts";
import { VERSION } from "../version.ts";
import { applyBudget } from "./budget.ts";
import { redactAll } from "./scan.ts";
import { byteLength, contentHash } from "./hash.ts";
import { loadTokenCounter, TOKEN_ENCODING, type TokenCounter } from "./tokens.ts";
import type { Bundle, BundleFormat, BundleSection } from "./types.ts";

/** Everything one prepare run depends on. */
export interface PipelineInput {
  agent: string;
  repo: string;
  files: SafeReader;
  loaded: LoadedSchedule;
  registry: PluginRegistry;
  now: Date;
  format: BundleFormat;
  program: string;
  prepareCommand: string;
  /** Count tokens even without a budget (JSON output carries them). */
  countTokens: boolean;
  maxTokens?: number;
  /** Called once per warning, as it happens (stderr). */
  onWarning?: (message: string) => void;
}

/** The assembled bundle and how many plugin hooks failed. */
export interface PipelineResult {
  bundle: Bundle;
  /** Section hooks that threw (their warning sections are in the bundle). */
  pluginFailures: number;
}

/** Built-in sections whose structured data kaizen itself generates (no repo text). */
const GENERATED = new Set(["prompt", "pointers", "session-close"]);

interface Collected {
  id: string;
  title: string;
  plugin: string;
  required: boolean;
  priority: number;
  keep: "start" | "end";
  output: SectionOutput;
}

/** Runs the pipeline. Throws only `BudgetExceededError`; plugin failures become warnings. */
export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  // Warnings are redacted like content before anyone sees them, so they are
  // collected now and reported after the scan.
  const rawWarnings: string[] = [];
  const warn = (message: string) => {
    rawWarnings.push(String(message));
  };
  const schedule = input.loaded.schedule;
  const agentSchedule = schedule?.agents[input.agent];
  const ctx: SectionContext = Object.freeze({
    agent: input.agent,
    root: input.files.root,
    repo: input.repo,
    schedule,
    agentSchedule,
    now: input.now,
    program: input.program,
    files: input.files,
    warn,
  });

  const collected: Collected[] = [];
  let pluginFailures = 0;
  for (const { plugin, section } of input.registry.sections()) {
    let output: SectionOutput | null;
    try {
      output = await section.collect(ctx);
      if (output !== null && (typeof output !== "object" || typeof output.content !== "string")) {
        throw new Error("collect() must return { content: string } or null");
      }
    } catch (err) {
      pluginFailures++;
      const msg = `plugin '${plugin}', hook collect (section '${section.id}'): ${
        errorMessage(err)
      }`;
      warn(msg);
      output = {
        status: "warning",
        content: `_This section failed and was left out:_ ${errorMessage(err)}`,
      };
    }
    if (output === null) continue;
    collected.push({
      id: section.id,
      title: section.title,
      plugin,
      required: section.required === true,
      priority: section.priority ?? 50,
      keep: section.keep ?? "start",
      output,
    });
  }

  // Content is untrusted: strip terminal control characters, then redact
  // every section's content and structured data in one scanner pass.
  const { redactSecrets } = await import("../redact/mod.ts");
  const texts: string[] = [];
  const slots = collected.map((c) => {
    const content = stripControl(c.output.content);
    const data = c.output.data === undefined ? undefined : JSON.stringify(c.output.data);
    const own = c.plugin === "builtin" && GENERATED.has(c.id);
    // Packaged prompts are compiled into kaizen (a test proves them secret-free)
    // and the built-in prompt, pointers and session-close data only name
    // files and commands; nothing else is exempt.
    const shipped = c.plugin === "builtin" && c.id === "prompt" &&
      (c.output.data as { origin?: string } | undefined)?.origin === "packaged";
    const slot = {
      content: shipped ? -1 : texts.push(content) - 1,
      data: data === undefined || own ? -1 : texts.push(data) - 1,
      rawContent: content,
    };
    return slot;
  });
  const scanned = await redactAll(redactSecrets, texts);
  let redactions = scanned.counts.reduce((a, b) => a + b, 0);
  const sections: BundleSection[] = collected.map((c, i) => {
    const slot = slots[i];
    const content = slot.content < 0 ? slot.rawContent : scanned.texts[slot.content];
    let data = c.output.data;
    if (slot.data >= 0 && scanned.counts[slot.data] > 0) {
      data = { redacted: true, note: "structured data held secrets and was withheld" };
    }
    const section: BundleSection = {
      id: c.id,
      title: c.title,
      plugin: c.plugin,
      source: c.output.source ?? null,
      status: c.output.status ?? "ok",
      content,
      bytes: byteLength(content),
      tokens: null,
      truncated: false,
    };
    if (data !== undefined) section.data = data;
    return section;
  });

  const warnings: string[] = [];
  for (const w of rawWarnings) {
    const r = await redactSecrets(stripControl(w), { source: "warning" });
    redactions += r.count;
    const clean = printable(r.text, 300);
    warnings.push(clean);
    input.onWarning?.(clean);
  }

  let counter: TokenCounter | undefined;
  if (input.countTokens || input.maxTokens !== undefined) {
    counter = await loadTokenCounter();
    for (const s of sections) s.tokens = counter(s.content);
  }
  if (input.maxTokens !== undefined && counter) {
    const meta = new Map(collected.map((c) => [c.id, c]));
    applyBudget(sections, input.maxTokens, counter, (id) => meta.get(id)!);
  }

  const byId = new Map(sections.map((s) => [s.id, s]));
  const prompt = byId.get("prompt");
  const promptOrigin = (prompt?.data as { origin?: string } | undefined)?.origin;
  const pointers =
    (byId.get("pointers")?.data as { pointers?: { label: string }[] } | undefined)?.pointers ?? [];
  const sessionClose =
    (byId.get("session-close")?.data as { commands?: string[] } | undefined)?.commands ?? [];
  const tokens = counter ? sections.reduce((n, s) => n + (s.tokens ?? 0), 0) : null;

  const bundle: Bundle = {
    schema: "kaizen.bundle/v1",
    agent: input.agent,
    repo: input.repo,
    root: input.files.root,
    cadence: agentSchedule?.cadence ?? null,
    schedule: {
      manifest: !input.loaded.exists ? "absent" : schedule ? "valid" : "invalid",
      listed: agentSchedule !== undefined,
      enabled: agentSchedule?.enabled ?? null,
      cron: agentSchedule ? effectiveCron(agentSchedule).cron : null,
      timezone: schedule?.timezone ?? null,
    },
    generated_at: formatUtc(input.now),
    prepare_command: input.prepareCommand,
    format: input.format,
    agent_prompt_found: prompt?.status === "ok",
    agent_prompt_source:
      prompt?.status === "ok" && (promptOrigin === "installed" || promptOrigin === "packaged")
        ? promptOrigin
        : null,
    has_memory: byId.get("memory")?.status === "ok",
    has_metrics: byId.get("metrics")?.status === "ok",
    pointers: pointers.map((p) => p.label),
    bytes: 0,
    session_close: sessionClose,
    sections,
    tokens,
    token_encoding: counter ? TOKEN_ENCODING : null,
    max_tokens: input.maxTokens ?? null,
    redactions,
    warnings,
    sha256: await contentHash(sections),
    kaizen_version: VERSION,
  };
  return { bundle, pluginFailures };
}

/**
 * One line describing a hook failure. Errors that already carry the plugin and
 * hook in their message (external plugins) expose the rest as `detail`, so the
 * prefix is not said twice.
 */
export function errorMessage(err: unknown): string {
  const detail = (err as { detail?: unknown })?.detail;
  const msg = typeof detail === "string"
    ? detail
    : err instanceof Error
    ? err.message
    : String(err);
  return msg.split("\n")[0] || "unknown error";
}
