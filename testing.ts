/**
 * Test a plugin the way kaizen runs it: what ESLint's `RuleTester` is to
 * rules. {@link runSection} runs one section, {@link runSink} one sink, each
 * against a fixture repository (a map of files, or a folder), with a pinned
 * clock and agent, through the real bundle pipeline — the same deadline,
 * control-character stripping, secret redaction and rendering a
 * `kaizen schedule prepare` applies — and hands back the rendered section or
 * what the sink received.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin } from "./plugin.ts";
 * import { runSection } from "./testing.ts";
 *
 * const notes = definePlugin({
 *   name: "notes",
 *   apiVersion: 1,
 *   sections: [{
 *     id: "notes",
 *     title: "Notes",
 *     order: 450,
 *     async collect(ctx) {
 *       const read = await ctx.files.readText("NOTES.md");
 *       return read.status === "ok" ? { content: read.text, source: read.path } : null;
 *     },
 *   }],
 * });
 *
 * const run = await runSection(notes, { files: { "NOTES.md": "Ship on Fridays.\n" } });
 * assert.equal(run.markdown, "## Notes\n\n_Source: `NOTES.md`_\n\nShip on Fridays.\n");
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { prepareBundle, type PreparedBundle } from "./core/bundle/prepare.ts";
import { emitToSinks, type SinkResult } from "./core/bundle/emit.ts";
import type { Bundle, BundleFormat, BundleSection } from "./core/bundle/types.ts";
import { definePlugin } from "./core/plugin/define.ts";
import { PluginRegistry } from "./core/plugin/registry.ts";
import type {
  BundleSummary,
  Plugin,
  SectionPlugin,
  SinkContext,
  SinkOptionValue,
  SinkPlugin,
} from "./core/plugin/types.ts";
import { builtinPlugin } from "./plugins/builtin/mod.ts";

/** The clock every run uses unless told otherwise: Monday 5 January 2026, 09:00 UTC. */
export const FIXED_NOW: Date = new Date("2026-01-05T09:00:00Z");

/** The agent every run prepares unless told otherwise (a packaged agent). */
export const DEFAULT_AGENT = "coach";

/** The roster slug every run uses unless told otherwise. */
export const DEFAULT_REPO = "acme/fixture";

/**
 * A fixture repository: file paths relative to its root mapped to their
 * contents (written to a fresh temporary folder, removed afterwards), or the
 * path of an existing folder (used in place, never changed by kaizen).
 */
export type Fixture = Readonly<Record<string, string | Uint8Array>> | string;

/** What every run takes. All optional: the defaults give a reproducible run. */
export interface FixtureOptions {
  /** The repository (default: an empty one). */
  files?: Fixture;
  /** The agent being prepared (default {@link DEFAULT_AGENT}). */
  agent?: string;
  /** The pinned clock (default {@link FIXED_NOW}). */
  now?: Date | string;
  /** The roster slug (default {@link DEFAULT_REPO}). */
  repo?: string;
  /** Environment seen by kaizen and the plugin (default: empty). */
  env?: Readonly<Record<string, string>>;
  /** The bundle's format (default `markdown`). */
  format?: BundleFormat;
  /** Deadline for reads and section hooks, in ms (default 10 s, as in prepare). */
  deadlineMs?: number;
}

/** One section's run: the section as the bundle holds it, rendered, and what came with it. */
export interface SectionRun {
  /** The section after the pipeline (redacted, bounded), or `null` when `collect` returned null. */
  section: BundleSection | null;
  /**
   * The section as it appears in the markdown bundle (heading, source line,
   * body), or `""` when it was left out.
   */
  markdown: string;
  /** The summary fields of the whole bundle (set by sections that declare them). */
  summary: BundleSummary;
  /** Warnings the run produced, in order (the section's own, and a failed hook's). */
  warnings: string[];
  /** True when the section's hook threw or timed out (the bundle carries a warning section). */
  failed: boolean;
  /** The whole bundle, with only this section in it. */
  bundle: Bundle;
}

/** Options for {@link runSection}. */
export interface RunSectionOptions extends FixtureOptions {
  /** Which section, when the plugin has more than one. */
  section?: string;
}

/**
 * Runs one section against a fixture repository through the real pipeline,
 * with no other section in the bundle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSection } from "./testing.ts";
 * const hello = {
 *   id: "hello", title: "Hello", order: 450,
 *   collect: (ctx: { agent: string }) => ({ content: `Hello, ${ctx.agent}.` }),
 * };
 * const run = await runSection(hello);
 * assert.equal(run.section?.content, "Hello, coach.");
 * ```
 */
export async function runSection(
  plugin: Plugin | SectionPlugin,
  options: RunSectionOptions = {},
): Promise<SectionRun> {
  const whole = asPlugin(plugin);
  const sections = whole.sections ?? [];
  const picked = options.section === undefined
    ? sections
    : sections.filter((s) => s.id === options.section);
  if (picked.length !== 1) {
    throw new Error(
      options.section === undefined
        ? `plugin '${whole.name}' has ${sections.length} sections; pass { section: "<id>" }`
        : `plugin '${whole.name}' has no section '${options.section}'`,
    );
  }
  const section = picked[0];
  const registry = new PluginRegistry();
  registry.add({ ...whole, sections: [section], sinks: [] }, { kind: "embedded" });
  const warnings: string[] = [];
  return await withFixture(options.files, async (root) => {
    const prepared = await prepare(root, registry, options, warnings, "markdown");
    const bundle = prepared.bundle;
    const found = bundle.sections.find((s) => s.id === section.id) ?? null;
    const text = prepared.rendering.text;
    let markdown = "";
    if (found) {
      const start = text.indexOf(`\n## ${found.title}\n`);
      const end = text.lastIndexOf("\n---\n_kaizen bundle ");
      markdown = text.slice(start + 1, end);
    }
    const { sections: _, ...rest } = bundle;
    return {
      section: found,
      markdown,
      summary: {
        agent_prompt_found: rest.agent_prompt_found,
        agent_prompt_source: rest.agent_prompt_source,
        has_memory: rest.has_memory,
        has_metrics: rest.has_metrics,
        pointers: rest.pointers,
        session_close: rest.session_close,
      },
      warnings,
      failed: prepared.pluginFailures > 0,
      bundle,
    };
  });
}

/** What a sink was handed by kaizen. */
export interface SinkReceived {
  /** The finished bundle, as `emit`'s first argument. */
  bundle: Bundle;
  /** The bundle rendered in `format`, as written to stdout or `--out`. */
  rendered: string;
  /** The format of `rendered`. */
  format: BundleFormat;
  /** The `--out` path, if one was given. */
  out?: string;
  /** The sink's declared options, resolved, and `dry-run`. */
  options: Readonly<Record<string, SinkOptionValue | undefined>>;
}

/** One line kaizen reported about the sink (stderr in the CLI). */
export interface SinkReport {
  /** The line, without the `kaizen: <level>: ` prefix. */
  message: string;
  /** `error` for a failure, `notice` for an outcome, `warning` for the sink's warnings. */
  level: "warning" | "error" | "notice";
}

/** One sink's run. */
export interface SinkRun {
  /** True when the sink delivered (its `emit` resolved in time). */
  ok: boolean;
  /** The sink's outcome line, or why it failed (redacted, printable). */
  detail: string;
  /** What the sink received, or `null` if it was never called. */
  received: SinkReceived | null;
  /** Lines kaizen reported, as the CLI would print them on stderr. */
  reports: SinkReport[];
  /** What the sink wrote to standard output through `ctx.print`. */
  printed: string[];
  /** Warnings from preparing the bundle. */
  warnings: string[];
  /** The result as `emitToSinks` returns it. */
  result: SinkResult;
}

/** Options for {@link runSink}. */
export interface RunSinkOptions extends FixtureOptions {
  /** Which sink, when the plugin has more than one. */
  sink?: string;
  /**
   * The plugins whose sections make the bundle (default: kaizen's built-in
   * sections). Pass `[]` for a bundle without sections.
   */
  sections?: readonly Plugin[];
  /**
   * The command line's options, keyed by flag (`{ "webhook-url": "…", "dry-run": true }`):
   * the sink receives its declared ones resolved as `prepare` resolves them
   * (the flag, else its variable from `env`, else its default) and `dry-run`.
   */
  sinkOptions?: Readonly<Record<string, unknown>>;
  /** `fetch` for HTTP sinks (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** The `--out` path handed to the sink. */
  out?: string;
  /** The sink's deadline in ms (default 10 s, as in prepare). */
  timeoutMs?: number;
}

/**
 * Prepares a bundle from a fixture repository and hands it to one sink,
 * exactly as `kaizen schedule prepare --sink <name>` does, under the sink's
 * deadline, with its failures turned into a result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSink } from "./testing.ts";
 * const seen: string[] = [];
 * const sink = { name: "memo", emit: (b: { agent: string }) => void seen.push(b.agent) };
 * const run = await runSink(sink, { sections: [] });
 * assert.equal(run.ok, true);
 * assert.deepEqual(seen, ["coach"]);
 * ```
 */
export async function runSink(
  plugin: Plugin | SinkPlugin,
  options: RunSinkOptions = {},
): Promise<SinkRun> {
  const whole = asPlugin(plugin);
  const sinks = whole.sinks ?? [];
  const picked = options.sink === undefined ? sinks : sinks.filter((s) => s.name === options.sink);
  if (picked.length !== 1) {
    throw new Error(
      options.sink === undefined
        ? `plugin '${whole.name}' has ${sinks.length} sinks; pass { sink: "<name>" }`
        : `plugin '${whole.name}' has no sink '${options.sink}'`,
    );
  }
  const sink = picked[0];
  const registry = new PluginRegistry();
  for (const p of options.sections ?? [builtinPlugin]) {
    registry.add({ ...p, sinks: [] }, { kind: p === builtinPlugin ? "builtin" : "embedded" });
  }
  const warnings: string[] = [];
  const format = options.format ?? "markdown";
  return await withFixture(options.files, async (root) => {
    const prepared = await prepare(root, registry, options, warnings, format);
    let received: SinkReceived | null = null;
    const watched: SinkPlugin = {
      ...sink,
      emit(bundle: Bundle, ctx: SinkContext) {
        received = {
          bundle,
          rendered: ctx.rendered,
          format: ctx.format,
          out: ctx.out,
          options: ctx.options ?? {},
        };
        return sink.emit(bundle, ctx);
      },
    };
    const reports: SinkReport[] = [];
    const printed: string[] = [];
    const env = options.env ?? {};
    const [result] = await emitToSinks(prepared.rendering, {
      sinks: [{ plugin: whole.name, sink: watched }],
      format,
      out: options.out,
      redact: prepared.redact,
      report: (message, level = "warning") => reports.push({ message, level }),
      options: options.sinkOptions ?? {},
      env: (name) => env[name],
      fetch: options.fetch,
      print: (text) => printed.push(text),
      timeoutMs: options.timeoutMs,
      everySink: true,
    });
    return { ok: result.ok, detail: result.detail, received, reports, printed, warnings, result };
  });
}

/**
 * One case for {@link testSection}: a fixture, and what the section should
 * make of it. Only the expectations given are checked.
 */
export interface SectionCase extends RunSectionOptions {
  /** The test's name (after the section's id). */
  name: string;
  /** The rendered section: exactly this text, text matching this pattern, or `null` for "left out". */
  markdown?: string | RegExp | null;
  /** Exactly these warnings, in order (strings compared whole, patterns matched). */
  warnings?: ReadonlyArray<string | RegExp>;
  /** These summary fields, with these values. */
  summary?: Partial<BundleSummary>;
  /** Whether the hook failed (threw or timed out). */
  failed?: boolean;
}

/**
 * Registers one `Deno.test` per case, as ESLint's `RuleTester.run` does for
 * rules: each runs the section against the case's fixture
 * ({@link runSection}) and checks the expectations the case gives.
 *
 * @example
 * ```ts ignore
 * import { testSection } from "./testing.ts";
 * import { conventions } from "./conventions.ts";
 *
 * testSection(conventions, [
 *   { name: "the repo's file", files: { "docs/CONVENTIONS.md": "- Tabs.\n" }, markdown: /- Tabs\./ },
 *   { name: "no file: the default list", markdown: /Small pull requests/, warnings: [] },
 * ]);
 * ```
 */
export function testSection(
  plugin: Plugin | SectionPlugin,
  cases: readonly SectionCase[],
  test: (name: string, fn: () => Promise<void>) => void = Deno.test,
): void {
  const label = "id" in plugin ? plugin.id : plugin.name;
  for (const c of cases) {
    const { name, markdown, warnings, summary, failed, ...options } = c;
    test(`${label}: ${name}`, async () => {
      const run = await runSection(plugin, options);
      if (markdown === null) assert.equal(run.section, null, "the section should be left out");
      else if (typeof markdown === "string") assert.equal(run.markdown, markdown);
      else if (markdown instanceof RegExp) assert.match(run.markdown, markdown);
      if (warnings !== undefined) {
        assert.equal(run.warnings.length, warnings.length, `warnings: ${run.warnings.join(" | ")}`);
        warnings.forEach((w, i) => {
          if (typeof w === "string") assert.equal(run.warnings[i], w);
          else assert.match(run.warnings[i], w);
        });
      }
      for (const [field, value] of Object.entries(summary ?? {})) {
        assert.deepEqual(run.summary[field as keyof BundleSummary], value, `summary.${field}`);
      }
      if (failed !== undefined) assert.equal(run.failed, failed, "failed");
    });
  }
}

function asPlugin(p: Plugin | SectionPlugin | SinkPlugin): Plugin {
  if ("apiVersion" in p) return p;
  if ("collect" in p) return definePlugin({ name: "under-test", apiVersion: 1, sections: [p] });
  return definePlugin({ name: "under-test", apiVersion: 1, sinks: [p] });
}

async function prepare(
  root: string,
  registry: PluginRegistry,
  options: FixtureOptions,
  warnings: string[],
  format: BundleFormat,
): Promise<PreparedBundle> {
  const env = options.env ?? {};
  return await prepareBundle({
    target: root,
    agent: options.agent ?? DEFAULT_AGENT,
    format,
    now: options.now === undefined ? FIXED_NOW : new Date(options.now),
    repo: options.repo ?? DEFAULT_REPO,
    deadlineMs: options.deadlineMs,
    registry,
    env: (name) => env[name],
    onWarning: (message, level) => {
      if (level === "warning") warnings.push(message);
    },
  });
}

async function withFixture<T>(
  files: Fixture | undefined,
  run: (root: string) => Promise<T>,
): Promise<T> {
  if (typeof files === "string") return await run(files);
  const root = await Deno.makeTempDir({ prefix: "kaizen-fixture-" });
  try {
    for (const [rel, content] of Object.entries(files ?? {})) {
      if (rel.startsWith("/") || rel.split("/").includes("..")) {
        throw new Error(`fixture path '${rel}' must stay inside the repository`);
      }
      const path = join(root, rel);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
    }
    return await run(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
