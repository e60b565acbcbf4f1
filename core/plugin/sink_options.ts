/**
 * Sinks declare their own options ({@link SinkOption}); this module is the
 * one mechanism that turns the declarations into command-line options (for
 * the parser, `--help` and the completions) and turns the parsed command
 * line plus the environment into each sink's `ctx.options`.
 *
 * @module
 */
import type { OptionSpec } from "../cli/framework.ts";
import { DECIMAL } from "../cli/option_values.ts";
import { KaizenError } from "../errors.ts";
import { PluginDefinitionError } from "./define.ts";
import type { OwnedSink } from "./registry.ts";
import type { SinkOption, SinkOptionValue, SinkPlugin } from "./types.ts";

/** The generic option every sink gets: print what would be sent, send nothing. */
export const DRY_RUN_FLAG = "dry-run";

/** A declared option's value that cannot be used (code `sink-option`); one printable line. */
export class SinkOptionError extends KaizenError {
  override name = "SinkOptionError";
  constructor(message: string) {
    super("sink-option", message);
  }
}

/**
 * The loaded sinks' options as parser option specs, after `taken` (the
 * command's own options). A sink option that reuses one of the command's
 * flags is refused, naming the plugin: the flag would mean two things.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin } from "../../plugin.ts";
 * import { PluginDefinitionError } from "./define.ts";
 * import { sinkOptionSpecs } from "./sink_options.ts";
 *
 * const chat = definePlugin({
 *   name: "chat",
 *   apiVersion: 1,
 *   sinks: [{
 *     name: "chat",
 *     options: [{ flag: "chat-url", kind: "string", description: "Where to post" }],
 *     emit: () => {},
 *   }],
 * });
 * const sinks = chat.sinks!.map((sink) => ({ plugin: chat.name, sink }));
 * const own = [{ name: "out", type: "string" as const, description: "Write the bundle here" }];
 * assert.deepEqual(sinkOptionSpecs(sinks, own), [
 *   { name: "chat-url", type: "string", description: "Where to post", valueName: "VALUE" },
 * ]);
 * // A sink may not take one of the command's own flags.
 * const taken = [{ name: "chat-url", type: "string" as const, description: "Mine" }];
 * assert.throws(() => sinkOptionSpecs(sinks, taken), PluginDefinitionError);
 * ```
 */
export function sinkOptionSpecs(
  sinks: readonly OwnedSink[],
  taken: readonly OptionSpec[],
): OptionSpec[] {
  const out: OptionSpec[] = [];
  for (const { plugin, sink } of sinks) {
    for (const o of sink.options ?? []) {
      if (taken.some((t) => t.name === o.flag) || o.flag === "help") {
        throw new PluginDefinitionError(
          plugin,
          `sink '${sink.name}': option --${o.flag} is one of kaizen's own options`,
        );
      }
      out.push(toSpec(o));
    }
  }
  return out;
}

// No `default` in the spec: the parser would fill it in and hide the variable.
function toSpec(o: SinkOption): OptionSpec {
  if (o.kind === "boolean") return { name: o.flag, type: "boolean", description: o.description };
  // A sink's duration takes forms of its own (`250ms`, bare milliseconds): text to the parser.
  return {
    name: o.flag,
    type: o.kind === "number" ? "number" : "string",
    description: o.description,
    valueName: o.valueName ??
      (o.kind === "number" ? "N" : o.kind === "duration" ? "DURATION" : "VALUE"),
  };
}

/**
 * Parses a duration: `250ms`, `10s`, `5m`, `1h`, or bare milliseconds.
 * Returns milliseconds, or `undefined` when the text is not a duration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "../../plugin.ts";
 *
 * assert.equal(parseDuration("10s"), 10_000);
 * assert.equal(parseDuration("1500"), 1_500);
 * assert.equal(parseDuration("ten seconds"), undefined);
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? "ms"]!;
  const ms = Math.round(Number(m[1]) * scale);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

function convert(o: SinkOption, raw: string | boolean | number, from: string): SinkOptionValue {
  // A flag or a number option arrives parsed; text comes from a variable or a default.
  if (typeof raw !== "string") return raw;
  if (o.kind === "boolean") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new SinkOptionError(`${from} must be true or false`);
  }
  const text = raw;
  if (o.kind === "number") {
    if (!DECIMAL.test(text.trim())) throw new SinkOptionError(`${from} must be a number`);
    return Number(text);
  }
  if (o.kind === "duration") {
    const ms = parseDuration(text);
    if (ms === undefined) {
      throw new SinkOptionError(`${from} must be a duration (e.g. 500ms, 10s, 5m)`);
    }
    return ms;
  }
  return text;
}

/**
 * One sink's `ctx.options`: each declared option from the command line
 * (`raw`, keyed by flag), else from its environment variable (an empty value
 * counts as unset), else its default; plus `dry-run`. Throws
 * {@link SinkOptionError} for a value of the wrong kind (never quoting it: a
 * variable may hold a credential).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSinkOptions, SinkOptionError } from "./sink_options.ts";
 *
 * const sink = {
 *   name: "chat",
 *   options: [
 *     { flag: "chat-url", kind: "string", env: "CHAT_URL", description: "Where to post" },
 *     { flag: "chat-timeout", kind: "duration", default: "5s", description: "How long to wait" },
 *   ],
 *   emit: () => {},
 * } as const;
 * const env: Record<string, string> = { CHAT_URL: "https://chat.example.com/hook" };
 * assert.deepEqual(resolveSinkOptions(sink, {}, (k) => env[k]), {
 *   "dry-run": false,
 *   "chat-url": "https://chat.example.com/hook", // from CHAT_URL
 *   "chat-timeout": 5_000, // the default, in ms
 * });
 * // The command line wins, and a value of the wrong kind is refused.
 * const flags = { "chat-timeout": "250ms", "dry-run": true };
 * assert.equal(resolveSinkOptions(sink, flags, (k) => env[k])["chat-timeout"], 250);
 * assert.throws(
 *   () => resolveSinkOptions(sink, { "chat-timeout": "soon" }, (k) => env[k]),
 *   SinkOptionError,
 * );
 * ```
 */
export function resolveSinkOptions(
  sink: SinkPlugin,
  raw: Readonly<Record<string, unknown>>,
  env: (name: string) => string | undefined,
): Record<string, SinkOptionValue | undefined> {
  const out: Record<string, SinkOptionValue | undefined> = {
    [DRY_RUN_FLAG]: raw[DRY_RUN_FLAG] === true,
  };
  for (const o of sink.options ?? []) {
    // The parser gives a number option a number, and an absent flag `false`
    // (a flag cannot say false on the command line): then the variable decides.
    const given = raw[o.flag];
    if (typeof given === "string" || typeof given === "number" || given === true) {
      out[o.flag] = convert(o, given, `--${o.flag}`);
      continue;
    }
    const fromEnv = o.env !== undefined ? env(o.env) : undefined;
    if (fromEnv !== undefined && fromEnv !== "") {
      out[o.flag] = convert(o, fromEnv, `${o.env}`);
      continue;
    }
    out[o.flag] = o.default === undefined ? undefined : convert(
      o,
      typeof o.default === "number" ? String(o.default) : o.default,
      `--${o.flag}'s default`,
    );
  }
  return out;
}
