/**
 * The bundle pipeline: run every registered section in order, make the
 * content safe (control characters, secrets, data caps), count and budget
 * tokens, and assemble one typed {@link Bundle}. Sinks are run by the caller
 * (`emit.ts`).
 *
 * This is the one choke point between untrusted input and every renderer and
 * sink: each string of the bundle — section content, titles, sources, every
 * string inside `data` (keys too), summary fields, warnings, the paths and
 * commands in the header — is stripped of control characters and passed
 * through the redactor here. The pipeline knows no plugin by name: built-in
 * sections feed the bundle's summary fields through `summaryFields`, as any
 * third-party section can.
 *
 * File system, clock and plugins come in through {@link PipelineInput}, so the
 * same inputs always give the same bundle.
 *
 * @module
 */
import { PACKAGED_PROMPTS } from "../agents/packaged_hashes.generated.ts";
import { firstLine, KaizenError, placeOf } from "../errors.ts";
import { beforeDeadline, NO_DEADLINE } from "../fs/deadline.ts";
import type { SafeReader } from "../fs/safe_read.ts";
import type { LoadedSchedule } from "../manifest/load.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type {
  BundleSummary,
  SectionContext,
  SectionOutput,
  SummaryField,
} from "../plugin/types.ts";
import { printable, stripControl } from "../text/printable.ts";
import { effectiveCron } from "../time/next_run.ts";
import { formatUtc } from "../time/timezone.ts";
import { VERSION } from "../version.ts";
import { applyBudget } from "./budget.ts";
import { boundData, redactData } from "./data.ts";
import { removeFragments, secretFragments } from "./fragments.ts";
import { byteLength, contentHash, sha256Hex } from "./hash.ts";
import { defaultRedactor, redactAll, type Redactor } from "./scan.ts";
import { loadTokenCounter, TOKEN_ENCODING, type TokenCounter } from "./tokens.ts";
import type { Bundle, BundleFormat, BundleSection, SectionStatus } from "./types.ts";

/** Everything one prepare run depends on. */
export interface PipelineInput {
  agent: string;
  repo: string;
  /** Reads inside the target; its deadline also bounds every section hook. */
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
  /** The redactor; defaults to `core/redact`. Tests may pass their own. */
  redact?: Redactor;
}

/** The assembled bundle and how many plugin hooks failed. */
export interface PipelineResult {
  bundle: Bundle;
  /** Section hooks that threw (their warning sections are in the bundle). */
  pluginFailures: number;
}

const PACKAGED_LENGTHS = new Set(PACKAGED_PROMPTS.map((p) => p.length));
const PACKAGED_HASHES = new Set(PACKAGED_PROMPTS.map((p) => p.sha256));

/** True when `content` is a packaged prompt, scanned clean when kaizen was built. */
async function isPackagedPrompt(content: string): Promise<boolean> {
  // Hash only what has a packaged prompt's length: most sections never pay for a digest.
  return PACKAGED_LENGTHS.has(content.length) && PACKAGED_HASHES.has(await sha256Hex(content));
}
const STATUSES: readonly SectionStatus[] = ["ok", "missing", "warning"];

interface Collected {
  id: string;
  title: string;
  plugin: string;
  required: boolean;
  priority: number;
  keep: "start" | "end";
  summaryFields: readonly SummaryField[];
  output: SectionOutput;
  status: SectionStatus;
  source: string | null;
  content: string;
  data?: unknown;
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
  // What sections read, kept to find secret blocks an excerpt cut apart.
  const read: string[] = [];
  const files: SafeReader = {
    root: input.files.root,
    maxBytes: input.files.maxBytes,
    deadline: input.files.deadline,
    readText: async (rel) => {
      const r = await input.files.readText(rel);
      if (r.status === "ok") read.push(r.text);
      return r;
    },
  };
  const base = {
    agent: input.agent,
    root: input.files.root,
    repo: input.repo,
    schedule,
    agentSchedule,
    now: input.now,
    program: input.program,
    files,
  };

  // Sections are independent, so their hooks run concurrently (their reads
  // and plugin processes overlap); each keeps its own warnings, which are
  // reported in section order, so the bundle is the same whatever finishes first.
  const runs = await Promise.all(
    input.registry.sections().map(async ({ plugin, section }) => {
      const own: string[] = [];
      const ctx: SectionContext = Object.freeze({
        ...base,
        warn: (m: string) => own.push(String(m)),
      });
      const hook = { plugin, hook: "collect", section: section.id };
      let output: SectionOutput | null;
      let failed = false;
      try {
        output = await beforeDeadline(
          // A reader written before deadlines existed has none: no deadline then.
          input.files.deadline ?? NO_DEADLINE,
          Promise.resolve().then(() => section.collect(ctx)),
          "the hook",
          hook,
        );
        if (output !== null) checkOutput(output);
      } catch (err) {
        failed = true;
        own.push(`${placeOf(hook)}: ${errorMessage(err)}`);
        output = {
          status: "warning",
          content: `_This section failed and was left out:_ ${errorMessage(err)}`,
        };
      }
      return { plugin, section, output, own, failed };
    }),
  );

  const collected: Collected[] = [];
  let pluginFailures = 0;
  for (const { plugin, section, output, own, failed } of runs) {
    own.forEach(warn);
    if (failed) pluginFailures++;
    if (output === null) continue;
    collected.push({
      id: section.id,
      title: section.title,
      plugin,
      required: section.required === true,
      priority: section.priority ?? 50,
      keep: section.keep ?? "start",
      summaryFields: section.summaryFields ?? [],
      output,
      status: output.status ?? "ok",
      source: typeof output.source === "string" ? output.source : null,
      content: "",
    });
  }

  const redact = input.redact ?? defaultRedactor;
  let redactions = 0;

  // 1. Structured data: bounded, then every string redacted where it stands
  // (all sections' data in one redactor call).
  const withData = collected.filter((c) => c.output.data !== undefined);
  const bounded = withData.map((c) => {
    const b = boundData(c.output.data);
    for (const p of b.problems) warn(`${c.source ?? `section '${c.id}'`}: structured data ${p}`);
    return b.value;
  });
  const cleanData = await redactData(bounded, redact);
  withData.forEach((c, i) => (c.data = (cleanData.value as unknown[])[i]));
  redactions += cleanData.count;

  // 2. Content: rendered from the redacted data where the section asks for it.
  for (const c of collected) {
    if (typeof c.output.render === "function") {
      try {
        const rendered = c.output.render(c.data);
        if (typeof rendered !== "string") throw new Error("render() must return a string");
        c.content = rendered;
      } catch (err) {
        pluginFailures++;
        warn(
          `${placeOf({ plugin: c.plugin, hook: "render", section: c.id })}: ${errorMessage(err)}`,
        );
        c.status = "warning";
        c.content = `_This section failed and was left out:_ ${errorMessage(err)}`;
        // A section that could not be shown does not vouch for the bundle's flags.
        c.output = { ...c.output, summary: undefined };
      }
    } else {
      c.content = c.output.content;
    }
  }

  // 3. Every other string, in one scanner pass: content (except packaged
  // prompts, proven clean at build time by hash), titles, sources, summary
  // values, the header's paths and commands, and the warnings so far.
  const texts: string[] = [];
  const put = (s: string) => texts.push(stripControl(s)) - 1;
  const slots: { content: number; rawContent: string; title: number; source: number }[] = [];
  const fragments = await secretFragments(read.map(stripControl), redact);
  for (const c of collected) {
    let content = stripControl(c.content);
    if (fragments.length > 0) {
      const cut = removeFragments(content, fragments);
      if (cut.found) redactions++;
      content = cut.text;
    }
    const shipped = await isPackagedPrompt(content);
    slots.push({
      content: shipped ? -1 : put(content),
      rawContent: content,
      title: put(c.title),
      source: c.source === null ? -1 : put(c.source),
    });
  }
  const summary = collectSummary(collected, warn);
  const summarySlots = {
    pointers: summary.pointers.map(put),
    session_close: summary.session_close.map(put),
  };
  const header = {
    root: put(input.files.root),
    repo: put(input.repo),
    command: put(input.prepareCommand),
  };
  const warningSlots = rawWarnings.map(put);
  const scanned = await redactAll(redact, texts);
  redactions += scanned.counts.reduce((a, b) => a + b, 0);
  const text = (i: number) => scanned.texts[i];

  const sections: BundleSection[] = collected.map((c, i) => {
    const slot = slots[i];
    const content = slot.content < 0 ? slot.rawContent : text(slot.content);
    const section: BundleSection = {
      id: c.id,
      title: text(slot.title),
      plugin: c.plugin,
      source: slot.source < 0 ? null : text(slot.source),
      status: c.status,
      content,
      bytes: byteLength(content),
      tokens: null,
      truncated: false,
    };
    if (c.data !== undefined) section.data = c.data;
    return section;
  });
  summary.pointers = summarySlots.pointers.map(text);
  summary.session_close = summarySlots.session_close.map(text);

  // Nothing below raises warnings, so the pass above saw all of them.
  const warnings = warningSlots.map((i) => printable(text(i), 300));
  for (const w of warnings) input.onWarning?.(w);

  let counter: TokenCounter | undefined;
  if (input.countTokens || input.maxTokens !== undefined) {
    counter = await loadTokenCounter();
    for (const s of sections) s.tokens = counter(s.content);
  }
  if (input.maxTokens !== undefined && counter) {
    const meta = new Map(collected.map((c) => [c.id, c]));
    applyBudget(sections, input.maxTokens, counter, (id) => meta.get(id)!);
  }
  const tokens = counter ? sections.reduce((n, s) => n + (s.tokens ?? 0), 0) : null;

  const bundle: Bundle = {
    schema: "kaizen.bundle/v1",
    agent: input.agent,
    repo: text(header.repo),
    root: text(header.root),
    cadence: agentSchedule?.cadence ?? null,
    schedule: {
      manifest: !input.loaded.exists ? "absent" : schedule ? "valid" : "invalid",
      listed: agentSchedule !== undefined,
      enabled: agentSchedule?.enabled ?? null,
      cron: agentSchedule ? effectiveCron(agentSchedule).cron : null,
      timezone: schedule?.timezone ?? null,
    },
    generated_at: formatUtc(input.now),
    prepare_command: text(header.command),
    format: input.format,
    agent_prompt_found: summary.agent_prompt_found,
    agent_prompt_source: summary.agent_prompt_source,
    has_memory: summary.has_memory,
    has_metrics: summary.has_metrics,
    pointers: summary.pointers,
    bytes: 0,
    session_close: summary.session_close,
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

/** Refuses outputs the pipeline cannot use, with a message naming what is wrong. */
function checkOutput(output: SectionOutput): void {
  if (typeof output !== "object") {
    throw new Error("collect() must return { content: string } or null");
  }
  if (output.render !== undefined && typeof output.render !== "function") {
    throw new Error("render must be a function");
  }
  if (typeof output.content !== "string") {
    throw new Error("collect() must return { content: string } or null");
  }
  if (output.status !== undefined && !STATUSES.includes(output.status)) {
    throw new Error(`status must be one of ${STATUSES.join(", ")}`);
  }
}

/**
 * The bundle's summary fields, from the sections that declared them. A
 * failed section leaves its fields at their defaults; a value of the wrong
 * type, or for a field the section did not declare, is a warning.
 */
function collectSummary(collected: readonly Collected[], warn: (m: string) => void): BundleSummary {
  const summary: BundleSummary = {
    agent_prompt_found: false,
    agent_prompt_source: null,
    has_memory: false,
    has_metrics: false,
    pointers: [],
    session_close: [],
  };
  for (const c of collected) {
    const given = c.output.summary;
    if (given === undefined || given === null || typeof given !== "object") continue;
    for (const [field, value] of Object.entries(given)) {
      if (!c.summaryFields.includes(field as SummaryField)) {
        warn(
          `${
            placeOf({ plugin: c.plugin, section: c.id })
          }: summary field '${field}' was not declared in summaryFields; ignored`,
        );
        continue;
      }
      if (!setSummary(summary, field as SummaryField, value)) {
        warn(
          `${
            placeOf({ plugin: c.plugin, section: c.id })
          }: summary field '${field}' has the wrong type; ignored`,
        );
      }
    }
  }
  return summary;
}

function setSummary(summary: BundleSummary, field: SummaryField, value: unknown): boolean {
  switch (field) {
    case "agent_prompt_found":
    case "has_memory":
    case "has_metrics":
      if (typeof value !== "boolean") return false;
      summary[field] = value;
      return true;
    case "agent_prompt_source":
      if (value !== null && value !== "installed" && value !== "packaged") return false;
      summary[field] = value;
      return true;
    case "pointers":
    case "session_close":
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return false;
      summary[field] = [...value];
      return true;
  }
}

/**
 * One line describing a hook failure, for a line that already names the
 * plugin and hook: a {@link KaizenError} carries its place as data, so only
 * its `detail` is said here and the place is not said twice.
 */
export function errorMessage(err: unknown): string {
  return firstLine(err instanceof KaizenError ? err.detail : err);
}
