/**
 * Parses and validates `.kaizen/schedule.yml` text into a {@link Schedule}
 * plus positioned diagnostics.
 *
 * Validation walks the YAML syntax tree rather than the plain JS value so that
 * every problem carries the line and column of the offending key or value,
 * and so that all problems are reported at once, not only the first.
 *
 * @module
 */
import { isMap, isScalar, LineCounter, parseDocument, type Scalar, type YAMLMap } from "yaml";
import type { Node, Pair } from "yaml";
import {
  derefAlias,
  DiagnosticList,
  type DocPath,
  duplicateKeyMessage,
} from "../yaml/diagnostics.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import { parseCron } from "../time/cron.ts";
import { timeZoneProblem, timeZoneWarning } from "../time/timezone.ts";
import {
  AGENT_KEYS,
  AGENT_NAME_PATTERN,
  AGENT_NAME_RE,
  CADENCES,
  MANIFEST_VERSION,
  MAX_MANIFEST_BYTES,
  TOP_LEVEL_KEYS,
} from "./constants.ts";
import type { AgentSchedule, Schedule } from "./types.ts";
import {
  countAliases,
  describe,
  firstLine,
  kindOf,
  offsetOf,
  readBoolean,
  versionMismatch,
} from "../yaml/nodes.ts";

/** Options for {@link parseSchedule}. */
export interface ParseScheduleOptions {
  /**
   * Agent names that exist (installed or packaged). When given, an agent key
   * outside this set is an error; when omitted, only the name shape is checked.
   */
  knownAgents?: Iterable<string>;
}

/** What {@link parseSchedule} found: the schedule when valid, and every problem. */
export interface ParseScheduleResult {
  /** Present only when there are no errors. */
  schedule?: Schedule;
  diagnostics: Diagnostic[];
}

// Anchors and aliases are legal YAML, but a few kilobytes of nested aliases
// can expand to gigabytes ("billion laughs"); a manifest never needs many.
const MAX_ALIASES = 50;

/**
 * Parses manifest text. Never throws on bad input: every problem becomes a
 * diagnostic with a 1-based line and column.
 *
 * @example
 * ```ts
 * const { schedule, diagnostics } = parseSchedule('version: "1"\nagents:\n  coach:\n    cadence: weekly\n');
 * ```
 */
export function parseSchedule(
  text: string,
  file?: string,
  options: ParseScheduleOptions = {},
): ParseScheduleResult {
  const ctx = new Walker(text, file, options);
  return ctx.run();
}

type Path = DocPath;

class Walker {
  readonly lines = new LineCounter();
  readonly diagnostics: DiagnosticList;
  readonly known?: Set<string>;

  constructor(
    readonly text: string,
    readonly file: string | undefined,
    options: ParseScheduleOptions,
  ) {
    this.diagnostics = new DiagnosticList(this.lines, file);
    if (options.knownAgents) this.known = new Set(options.knownAgents);
  }

  run(): ParseScheduleResult {
    const size = new TextEncoder().encode(this.text).length;
    if (size > MAX_MANIFEST_BYTES) {
      this.report(
        "too-large",
        `manifest is ${size} bytes; the limit is ${MAX_MANIFEST_BYTES} (256 KiB)`,
        [],
        0,
      );
      return this.result();
    }
    if (this.text.trim() === "" || !/^\s*[^#\s]/m.test(this.text)) {
      this.report("empty", "manifest is empty; it needs at least 'version' and 'agents'", [], 0);
      return this.result();
    }
    const doc = parseDocument(this.text, {
      lineCounter: this.lines,
      prettyErrors: false,
      // The library would print its own warnings (e.g. on collection keys); we report instead.
      logLevel: "error",
      uniqueKeys: true,
      keepSourceTokens: false,
    });
    for (const e of doc.errors) {
      const msg = e.code === "DUPLICATE_KEY"
        ? duplicateKeyMessage(this.text, e.pos[0])
        : `YAML syntax error: ${firstLine(e.message)}`;
      this.report(e.code === "DUPLICATE_KEY" ? "duplicate-key" : "yaml-syntax", msg, [], e.pos[0]);
    }
    if (doc.errors.length > 0) return this.result();

    const aliases = countAliases(doc.contents as Node | null);
    if (aliases.count > MAX_ALIASES) {
      this.report(
        "too-many-aliases",
        `manifest uses ${aliases.count} aliases; at most ${MAX_ALIASES} are allowed (alias expansion is capped)`,
        [],
        aliases.first ?? 0,
      );
      return this.result();
    }
    // Expansion is also bounded inside the yaml library; this catches nesting.
    try {
      doc.toJS({ maxAliasCount: MAX_ALIASES * 10 });
    } catch {
      this.report(
        "too-many-aliases",
        "alias expansion exceeds the limit (possible alias bomb)",
        [],
        aliases.first ?? 0,
      );
      return this.result();
    }

    const root = this.deref(doc.contents as Node | null, doc);
    if (!isMap(root)) {
      this.report(
        "root-not-mapping",
        `manifest root must be a mapping, got ${kindOf(root)}`,
        [],
        offsetOf(root),
      );
      return this.result();
    }
    const schedule = this.walkRoot(root, doc);
    return this.result(schedule);
  }

  private result(schedule?: Schedule): ParseScheduleResult {
    const diagnostics = this.diagnostics.sorted();
    const ok = this.diagnostics.errorCount === 0;
    return ok && schedule ? { schedule, diagnostics } : { diagnostics };
  }

  private report(code: string, message: string, path: Path, offset: number) {
    this.diagnostics.report(code, message, path, offset);
  }

  /**
   * The document offset of character `column` of a one-line string scalar's
   * value, so a cron problem points at its field; the scalar's start when the
   * source spelling differs from the value (escapes, folding).
   */
  private offsetInScalar(node: Scalar, column: number | undefined): number {
    const start = offsetOf(node);
    if (column === undefined || !node.range || typeof node.value !== "string") return start;
    const raw = this.text.slice(node.range[0], node.range[1]);
    const quoted = raw.startsWith('"') || raw.startsWith("'");
    const body = quoted ? raw.slice(1, -1) : raw;
    return body === node.value ? start + (quoted ? 1 : 0) + column : start;
  }

  private deref(node: Node | null | undefined, doc: ReturnType<typeof parseDocument>): Node | null {
    return derefAlias(node, doc, MAX_ALIASES);
  }

  private walkRoot(root: YAMLMap, doc: ReturnType<typeof parseDocument>): Schedule | undefined {
    const seen = new Map<string, Pair<unknown, unknown>>();
    for (const pair of root.items) {
      const key = this.keyOf(pair, []);
      if (key === undefined) continue;
      if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
        this.report(
          "unknown-key",
          `unknown key '${printable(key)}'${didYouMean(key, TOP_LEVEL_KEYS)}; allowed: ${
            TOP_LEVEL_KEYS.join(", ")
          }`,
          [key],
          offsetOf(pair.key as Node),
        );
        continue;
      }
      seen.set(key, pair);
    }

    let version: string | undefined;
    const vPair = seen.get("version");
    if (!vPair) {
      this.report(
        "missing-key",
        `missing required key 'version' (add: version: "${MANIFEST_VERSION}")`,
        [],
        0,
      );
    } else {
      const v = this.deref(vPair.value as Node, doc);
      const bad = versionMismatch(v, MANIFEST_VERSION);
      if (!bad) version = MANIFEST_VERSION;
      else {
        const code = bad.numeric ? "version-not-string" : "unsupported-version";
        this.report(code, bad.message, ["version"], offsetOf(v, vPair));
      }
    }

    let timezone: string | undefined;
    const tzPair = seen.get("timezone");
    if (tzPair) {
      const tz = this.deref(tzPair.value as Node, doc);
      if (!isScalar(tz) || typeof tz.value !== "string") {
        this.report(
          "invalid-timezone",
          `timezone must be a string naming an IANA zone (e.g. Europe/Berlin), got ${describe(tz)}`,
          ["timezone"],
          offsetOf(tz, tzPair),
        );
      } else if (timeZoneProblem(tz.value) !== undefined) {
        this.report(
          "invalid-timezone",
          `timezone ${printable(timeZoneProblem(tz.value)!, 300)}`,
          ["timezone"],
          offsetOf(tz),
        );
      } else {
        timezone = tz.value;
        // Valid, but likely not what was meant: a warning, the manifest stays valid.
        const warning = timeZoneWarning(tz.value);
        if (warning !== undefined) {
          this.diagnostics.report(
            "fixed-offset-timezone",
            `timezone ${printable(warning, 300)}`,
            ["timezone"],
            offsetOf(tz),
            "warning",
          );
        }
      }
    }

    let agents: Record<string, AgentSchedule> | undefined;
    const aPair = seen.get("agents");
    if (!aPair) {
      this.report(
        "missing-key",
        "missing required key 'agents' (a mapping of agent name to schedule)",
        [],
        0,
      );
    } else {
      agents = this.walkAgents(this.deref(aPair.value as Node, doc), aPair, doc);
    }

    if (version === undefined || agents === undefined) return undefined;
    const schedule: Schedule = { version: version as "1", agents };
    if (timezone !== undefined) schedule.timezone = timezone;
    return schedule;
  }

  private walkAgents(
    node: Node | null,
    pair: Pair<unknown, unknown>,
    doc: ReturnType<typeof parseDocument>,
  ): Record<string, AgentSchedule> | undefined {
    if (!isMap(node)) {
      this.report(
        "agents-not-mapping",
        `agents must be a mapping of agent name to schedule, got ${describe(node)}`,
        ["agents"],
        offsetOf(node, pair),
      );
      return undefined;
    }
    if (node.items.length === 0) {
      this.report(
        "agents-empty",
        "agents is empty; list at least one agent",
        ["agents"],
        offsetOf(node, pair),
      );
      return undefined;
    }
    const out: Record<string, AgentSchedule> = {};
    let ok = true;
    for (const item of node.items) {
      const name = this.keyOf(item, ["agents"]);
      if (name === undefined) {
        ok = false;
        continue;
      }
      const keyOffset = offsetOf(item.key as Node);
      if (!AGENT_NAME_RE.test(name)) {
        this.report(
          "invalid-agent-name",
          `agent name '${
            printable(name)
          }' must match ${AGENT_NAME_PATTERN} (lowercase letters, digits, '-')`,
          ["agents", name],
          keyOffset,
        );
        ok = false;
        continue;
      }
      if (this.known && !this.known.has(name)) {
        const known = [...this.known].sort();
        this.report(
          "unknown-agent",
          `agent '${name}' is neither installed nor packaged${
            didYouMean(name, known)
          }; known agents: ${known.join(", ")}`,
          ["agents", name],
          keyOffset,
        );
        ok = false;
      }
      const entry = this.walkAgent(name, this.deref(item.value as Node, doc), item, doc);
      if (entry) out[name] = entry;
      else ok = false;
    }
    return ok ? out : undefined;
  }

  private walkAgent(
    name: string,
    node: Node | null,
    pair: Pair<unknown, unknown>,
    doc: ReturnType<typeof parseDocument>,
  ): AgentSchedule | undefined {
    const path = ["agents", name];
    if (!isMap(node)) {
      const what = node === null || (isScalar(node) && node.value === null)
        ? `agent '${name}' has no settings; it needs at least 'cadence' (${CADENCES.join(", ")})`
        : `agent '${name}' must be a mapping with cadence/cron/enabled, got ${describe(node)}`;
      const empty = node === null || (isScalar(node) && node.value === null);
      this.report(
        "agent-not-mapping",
        what,
        path,
        empty ? offsetOf(pair.key as Node) : offsetOf(node, pair),
      );
      return undefined;
    }
    let ok = true;
    const fields = new Map<string, Pair<unknown, unknown>>();
    for (const item of node.items) {
      const key = this.keyOf(item, path);
      if (key === undefined) {
        ok = false;
        continue;
      }
      if (!(AGENT_KEYS as readonly string[]).includes(key)) {
        this.report(
          "unknown-key",
          `unknown key '${printable(key)}' in agent '${name}'${
            didYouMean(key, AGENT_KEYS)
          }; allowed: ${AGENT_KEYS.join(", ")}`,
          [...path, key],
          offsetOf(item.key as Node),
        );
        ok = false;
        continue;
      }
      fields.set(key, item);
    }

    let cadence: AgentSchedule["cadence"] | undefined;
    const cPair = fields.get("cadence");
    if (!cPair) {
      this.report(
        "missing-key",
        `agent '${name}' is missing required key 'cadence' (${CADENCES.join(", ")})`,
        path,
        offsetOf(pair.key as Node),
      );
      ok = false;
    } else {
      const c = this.deref(cPair.value as Node, doc);
      const value = isScalar(c) ? c.value : undefined;
      if (typeof value === "string" && (CADENCES as readonly string[]).includes(value)) {
        cadence = value as AgentSchedule["cadence"];
      } else {
        const hint = typeof value === "string" ? didYouMean(value, CADENCES) : "";
        const hourly = value === "hourly"
          ? '; for hourly runs use cadence: daily with cron: "0 * * * *"'
          : "";
        this.report(
          "invalid-cadence",
          `cadence must be one of ${CADENCES.join(", ")}, got ${describe(c)}${hint}${hourly}`,
          [...path, "cadence"],
          offsetOf(c, cPair),
        );
        ok = false;
      }
    }

    let cron: string | undefined;
    const crPair = fields.get("cron");
    if (crPair) {
      const c = this.deref(crPair.value as Node, doc);
      if (!isScalar(c) || typeof c.value !== "string") {
        this.report(
          "invalid-cron",
          `cron must be a quoted string of 5 fields, got ${describe(c)}`,
          [...path, "cron"],
          offsetOf(c, crPair),
        );
        ok = false;
      } else {
        const parsed = parseCron(c.value);
        if (!parsed.ok) {
          this.report(
            "invalid-cron",
            `${printable(parsed.problem.message, 200)} (in '${printable(c.value)}')`,
            [...path, "cron"],
            this.offsetInScalar(c, parsed.problem.column),
          );
          ok = false;
        } else {
          cron = parsed.spec.source;
        }
      }
    }

    let enabled = true;
    const ePair = fields.get("enabled");
    if (ePair) {
      const e = this.deref(ePair.value as Node, doc);
      const b = readBoolean(e, "enabled");
      if (b.ok) {
        enabled = b.value;
      } else {
        this.report("invalid-enabled", b.message, [...path, "enabled"], offsetOf(e, ePair));
        ok = false;
      }
    }

    if (!ok || cadence === undefined) return undefined;
    const out: AgentSchedule = { cadence, enabled };
    if (cron !== undefined) out.cron = cron;
    return out;
  }

  /** A mapping key as a string, or a diagnostic when it is not a plain scalar. */
  private keyOf(pair: Pair<unknown, unknown>, path: Path): string | undefined {
    const k = pair.key as Node | null;
    if (isScalar(k) && (typeof k.value === "string" || typeof k.value === "number")) {
      return String(k.value);
    }
    this.report(
      "invalid-key",
      `mapping keys must be plain strings, got ${describe(k)}`,
      path,
      offsetOf(k),
    );
    return undefined;
  }
}
