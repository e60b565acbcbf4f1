/**
 * The JetStream stream that keeps kaizen's events: what `kaizen events setup`
 * asks the server for, how an existing stream compares with it, and the
 * create-or-update itself.
 *
 * The request and the comparison are pure functions of the options, so
 * `--dry-run` prints exactly what a real run sends and tests need no server.
 * {@link setupEventStream} takes the stream half of `@nats-io/jetstream`'s
 * manager (`jsm.streams`) as an argument: this module imports no NATS code.
 *
 * Why a duplicate window of at least two hours: kaizen publishes each event
 * with `Nats-Msg-Id` set to a hash of its subject, repository, agent and
 * content, so a retried publish, or a re-run that prepared the same bundle,
 * is stored once — while the first copy is inside the window. A re-run comes
 * a session length or more after the first (the pilot's sessions average
 * about 17 minutes); JetStream's own default (2 minutes) absorbs only the
 * sink's own retries. `kaizen doctor` warns below the same two hours.
 *
 * @module
 */
import { type ErrorFields, KaizenError } from "../errors.ts";
/** Every subject kaizen publishes, as one stream subject. */
export const KAIZEN_SUBJECTS = "kaizen.>";
/** The stream name the docs, doctor and `events setup` agree on. */
export const DEFAULT_STREAM = "KAIZEN";
/** The shortest duplicate window `events setup` creates (see the module comment). */
export const MIN_DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000;
/** How long events are kept unless `--max-age` says otherwise: a quarter of weekly runs. */
export const DEFAULT_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;

/** Stream retention policies (JetStream's names). */
export const RETENTIONS = ["limits", "interest", "workqueue"] as const;
/** Stream storage types (JetStream's names). */
export const STORAGES = ["file", "memory"] as const;

/** What the stream should look like. */
export interface EventStreamOptions {
  /** Stream name (default {@link DEFAULT_STREAM}). */
  name: string;
  retention: typeof RETENTIONS[number];
  storage: typeof STORAGES[number];
  /** How long a message is kept; 0 keeps it until another limit removes it. */
  maxAgeMs: number;
  /** At least {@link MIN_DUPLICATE_WINDOW_MS}. */
  duplicateWindowMs: number;
  /** Copies in a cluster (1 on a single server). */
  replicas: number;
}

/**
 * The defaults of `kaizen events setup`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STREAM_OPTIONS } from "../../mod.ts";
 *
 * assert.equal(DEFAULT_STREAM_OPTIONS.name, "KAIZEN");
 * assert.equal(DEFAULT_STREAM_OPTIONS.maxAgeMs, 90 * 86_400_000); // events are kept 90 days
 * // A cluster keeps three copies: only what differs is given.
 * const clustered = { ...DEFAULT_STREAM_OPTIONS, replicas: 3 };
 * assert.equal(clustered.storage, "file");
 * ```
 */
export const DEFAULT_STREAM_OPTIONS: EventStreamOptions = {
  name: DEFAULT_STREAM,
  retention: "limits",
  storage: "file",
  maxAgeMs: DEFAULT_MAX_AGE_MS,
  duplicateWindowMs: MIN_DUPLICATE_WINDOW_MS,
  replicas: 1,
};

/** The stream configuration fields kaizen sets; JetStream counts time in nanoseconds. */
export interface EventStreamConfig {
  name: string;
  subjects: string[];
  retention: string;
  storage: string;
  max_age: number;
  duplicate_window: number;
  num_replicas: number;
}

/** One JetStream API request, as `--dry-run` shows it. */
export interface StreamRequest {
  subject: string;
  body: EventStreamConfig;
}

/** A stream name JetStream accepts (no spaces, dots, wildcards or path separators). */
export const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Why `opts` cannot be set up, or undefined when it can. Checked before any
 * connection, so a bad option is a usage error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkStreamOptions, DEFAULT_STREAM_OPTIONS } from "./stream.ts";
 *
 * assert.equal(checkStreamOptions(DEFAULT_STREAM_OPTIONS), undefined);
 * assert.equal(
 *   checkStreamOptions({ ...DEFAULT_STREAM_OPTIONS, duplicateWindowMs: 60_000 }),
 *   "the duplicate window must be at least 2h so that a re-run is stored once, got 1m",
 * );
 * ```
 */
export function checkStreamOptions(opts: EventStreamOptions): string | undefined {
  if (!STREAM_NAME.test(opts.name)) {
    return `stream name '${
      opts.name.slice(0, 64).replace(/[^\x21-\x7e]/g, "?")
    }' is not valid: use letters, digits, '-' and '_' (at most 64)`;
  }
  if (opts.duplicateWindowMs < MIN_DUPLICATE_WINDOW_MS) {
    return `the duplicate window must be at least ${
      formatDuration(MIN_DUPLICATE_WINDOW_MS)
    } so that a re-run is stored once, got ${formatDuration(opts.duplicateWindowMs)}`;
  }
  if (opts.maxAgeMs !== 0 && opts.maxAgeMs < opts.duplicateWindowMs) {
    return `the max age (${
      formatDuration(opts.maxAgeMs)
    }) must not be shorter than the duplicate window (${formatDuration(opts.duplicateWindowMs)})`;
  }
  return undefined;
}

/**
 * The configuration `events setup` creates: every kaizen subject, the
 * options' limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STREAM_OPTIONS, streamConfig } from "./stream.ts";
 *
 * const config = streamConfig(DEFAULT_STREAM_OPTIONS);
 * assert.deepEqual(config.subjects, ["kaizen.>"]);
 * assert.equal(config.duplicate_window, 2 * 3_600 * 1e9); // nanoseconds
 * ```
 */
export function streamConfig(opts: EventStreamOptions): EventStreamConfig {
  return {
    name: opts.name,
    subjects: [KAIZEN_SUBJECTS],
    retention: opts.retention,
    storage: opts.storage,
    max_age: opts.maxAgeMs * 1e6,
    duplicate_window: opts.duplicateWindowMs * 1e6,
    num_replicas: opts.replicas,
  };
}

/**
 * The create request a first run sends (what `--dry-run` prints). A stream
 * that exists already gets `$JS.API.STREAM.UPDATE.<name>` with only the
 * changed fields merged into its configuration instead.
 */
export function createRequest(opts: EventStreamOptions): StreamRequest {
  return { subject: `$JS.API.STREAM.CREATE.${opts.name}`, body: streamConfig(opts) };
}

/** One field that differs between a stream and the options. */
export interface StreamChange {
  /** The JetStream configuration field. */
  field: keyof Omit<EventStreamConfig, "name">;
  /** Readable current and wanted values (`90d`, `file`, `kaizen.>`). */
  from: string;
  to: string;
  /** The field cannot change on an existing stream (JetStream refuses). */
  fixed: boolean;
}

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/**
 * True when a stream with `subjects` stores all of `kaizen.>`: every subject
 * kaizen publishes today (`core/events/subjects.ts`) and the ones it adds later, so
 * `events tail` can filter on `kaizen.>`.
 */
export function capturesKaizen(subjects: readonly string[]): boolean {
  return subjects.some((p) => p === ">" || p === KAIZEN_SUBJECTS);
}

/**
 * The subjects an existing stream should have: unchanged when they already
 * capture every kaizen subject; otherwise `kaizen.>` added and the narrower
 * kaizen subjects it covers removed (other subjects are the owner's business
 * and stay).
 */
export function wantedSubjects(existing: readonly string[]): string[] {
  if (capturesKaizen(existing)) return [...existing];
  return [...existing.filter((s) => !matches(KAIZEN_SUBJECTS, s)), KAIZEN_SUBJECTS];
}

/** The fields kaizen manages, as they are on the server (missing ones read as JetStream's defaults). */
type Current = Partial<Record<keyof EventStreamConfig, unknown>>;

/** The options a user can set; each maps to one configuration field. */
export type StreamOption = "retention" | "storage" | "maxAgeMs" | "duplicateWindowMs" | "replicas";

/** Every option, as if all were given (library callers, tests). */
export const ALL_OPTIONS: ReadonlySet<StreamOption> = new Set([
  "retention",
  "storage",
  "maxAgeMs",
  "duplicateWindowMs",
  "replicas",
]);

/**
 * How an existing stream's configuration differs from the options, field by
 * field; empty when it is up to date.
 *
 * An existing stream is the operator's: only what kaizen needs and what
 * `given` names is compared. Always: the subjects cover `kaizen.>`, and the
 * duplicate window is at least the options' (two hours by default). The
 * retention, storage, max age and replicas are compared only when given, so
 * `kaizen events setup` never undoes a limit someone tuned on purpose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STREAM_OPTIONS, diffStream, streamConfig } from "./stream.ts";
 *
 * const current = { ...streamConfig(DEFAULT_STREAM_OPTIONS), max_age: 0 }; // kept forever
 * assert.deepEqual(diffStream(current, DEFAULT_STREAM_OPTIONS), [
 *   { field: "max_age", from: "unlimited", to: "90d", fixed: false },
 * ]);
 * // Without `maxAgeMs` among the options given, the operator's limit is left alone.
 * assert.deepEqual(diffStream(current, DEFAULT_STREAM_OPTIONS, new Set(["replicas"])), []);
 * ```
 */
export function diffStream(
  current: Current,
  opts: EventStreamOptions,
  given: ReadonlySet<StreamOption> = ALL_OPTIONS,
): StreamChange[] {
  const want = streamConfig(opts);
  const changes: StreamChange[] = [];
  const subjects = Array.isArray(current.subjects)
    ? current.subjects.filter((s): s is string => typeof s === "string")
    : [];
  const subjectsWanted = wantedSubjects(subjects);
  if (subjectsWanted.join(",") !== subjects.join(",")) {
    changes.push({
      field: "subjects",
      from: subjects.join(", ") || "none",
      to: subjectsWanted.join(", "),
      fixed: false,
    });
  }
  const same = (field: StreamChange["field"], shown: (v: unknown) => string, fixed = false) => {
    const have = current[field];
    if (have !== want[field]) {
      changes.push({ field, from: shown(have), to: shown(want[field]), fixed });
    }
  };
  const text = (v: unknown) => (typeof v === "string" ? v : "unset");
  const nanos = (v: unknown) =>
    typeof v === "number" ? (v === 0 ? "unlimited" : formatDuration(v / 1e6)) : "unset";
  if (given.has("retention")) same("retention", text, true);
  if (given.has("storage")) same("storage", text, true);
  if (given.has("maxAgeMs")) same("max_age", nanos);
  const window = typeof current.duplicate_window === "number" ? current.duplicate_window : 0;
  if (given.has("duplicateWindowMs") || window < want.duplicate_window) {
    same("duplicate_window", nanos);
  }
  if (given.has("replicas")) {
    same("num_replicas", (v) => (typeof v === "number" ? String(v) : "unset"));
  }
  return changes;
}

/** Readable name of a changed field. */
export function fieldLabel(field: StreamChange["field"]): string {
  return {
    subjects: "subjects",
    retention: "retention",
    storage: "storage",
    max_age: "max age",
    duplicate_window: "duplicate window",
    num_replicas: "replicas",
  }[field];
}

/** `retention limits, storage file, …`: the options in one phrase. */
export function describeStream(config: EventStreamConfig): string {
  const age = config.max_age === 0 ? "unlimited" : formatDuration(config.max_age / 1e6);
  return `subjects ${
    config.subjects.join(", ")
  }, retention ${config.retention}, storage ${config.storage}, max age ${age}, duplicate window ${
    formatDuration(config.duplicate_window / 1e6)
  }, replicas ${config.num_replicas}`;
}

/** What {@link setupEventStream} did. */
export type SetupOutcome =
  | { action: "created"; config: EventStreamConfig }
  | { action: "unchanged"; config: EventStreamConfig }
  | {
    action: "updated";
    config: EventStreamConfig;
    changes: StreamChange[];
    /** Changes the server did not keep (a single server keeps one replica). */
    ignored: StreamChange[];
  };

/**
 * How setup messages name the stream to use: the `name` option here, `--stream`
 * on the command line.
 */
export const STREAM_NAME_SUBJECT = "the stream name";

/**
 * A setup that cannot go ahead (code `stream-setup`); the message is one
 * printable line. It names the stream option as {@link STREAM_NAME_SUBJECT} (data:
 * `subject`, `option`), which the CLI renders `--stream`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STREAM_OPTIONS, StreamSetupError } from "../../mod.ts";
 * import { setupEventStream, type StreamManager } from "./stream.ts";
 *
 * // A server where stream OLD already stores kaizen's subjects (a fake manager, as tests pass):
 * const streams: StreamManager = {
 *   info: () => Promise.reject(Object.assign(new Error("stream not found"), { code: 10059 })),
 *   add: () => Promise.reject(new Error("not reached")),
 *   update: () => Promise.reject(new Error("not reached")),
 *   async *names() {
 *     yield "OLD";
 *   },
 * };
 * await assert.rejects(setupEventStream(streams, DEFAULT_STREAM_OPTIONS), (err) => {
 *   assert.ok(err instanceof StreamSetupError);
 *   assert.equal(err.code, "stream-setup");
 *   assert.match(err.message, /^stream OLD already stores kaizen subjects/);
 *   return true;
 * });
 * ```
 */
export class StreamSetupError extends KaizenError {
  override name = "StreamSetupError";
  constructor(message: string, fields: Pick<ErrorFields, "subject" | "option" | "cause"> = {}) {
    super("stream-setup", message, fields);
  }
}

/**
 * The part of `@nats-io/jetstream`'s `JetStreamManager.streams` that setup
 * uses; the real one is passed in (tests may pass a fake).
 */
export interface StreamManager {
  info(name: string): Promise<{ config: unknown }>;
  add(cfg: EventStreamConfig): Promise<{ config: unknown }>;
  update(name: string, cfg: Partial<EventStreamConfig>): Promise<{ config: unknown }>;
  names(subject?: string): AsyncIterable<string>;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; code?: number; message?: string };
  return e?.name === "StreamNotFoundError" || e?.code === 10059 ||
    /stream not found/i.test(String(e?.message));
}

/**
 * Creates the stream from `opts`, or brings an existing one in line with
 * what kaizen needs and the options in `given` (see {@link diffStream});
 * changes nothing when it matches. Refuses (with a {@link StreamSetupError})
 * when another stream already stores kaizen subjects, or when a field that
 * JetStream cannot change (retention, storage) differs.
 */
export async function setupEventStream(
  streams: StreamManager,
  opts: EventStreamOptions,
  given: ReadonlySet<StreamOption> = ALL_OPTIONS,
): Promise<SetupOutcome> {
  let current: Current | undefined;
  try {
    current = (await streams.info(opts.name)).config as Current;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  // Two streams cannot store one subject: name the one that has them.
  const owners: string[] = [];
  for await (const n of streams.names(KAIZEN_SUBJECTS)) {
    if (n !== opts.name) owners.push(n);
  }
  if (owners.length > 0) {
    const which = owners.slice(0, 3).join(", ");
    throw new StreamSetupError(
      `stream ${which} already stores kaizen subjects: pass ${STREAM_NAME_SUBJECT} ${
        owners[0]
      } to manage it, or remove those subjects from it`,
      { subject: STREAM_NAME_SUBJECT, option: "stream" },
    );
  }
  if (current === undefined) {
    const made = await streams.add(streamConfig(opts));
    return { action: "created", config: pick(made.config as Current, opts) };
  }
  const changes = diffStream(current, opts, given);
  if (changes.length === 0) return { action: "unchanged", config: pick(current, opts) };
  const fixed = changes.filter((c) => c.fixed);
  if (fixed.length > 0) {
    const what = fixed.map((c) => `${fieldLabel(c.field)} is ${c.from}, not ${c.to}`).join("; ");
    throw new StreamSetupError(
      `stream ${opts.name} exists and its ${what}: JetStream cannot change that on an existing stream (pass the stream's own value, or set ${STREAM_NAME_SUBJECT} to another stream)`,
      { subject: STREAM_NAME_SUBJECT, option: "stream" },
    );
  }
  const want = streamConfig(opts);
  const patch: Partial<EventStreamConfig> = {};
  for (const c of changes) {
    (patch as Record<string, unknown>)[c.field] = c.field === "subjects"
      ? wantedSubjects(Array.isArray(current.subjects) ? current.subjects as string[] : [])
      : want[c.field];
  }
  const after = (await streams.update(opts.name, patch)).config as Current;
  const ignored = diffStream(after, opts, given);
  return { action: "updated", config: pick(after, opts), changes, ignored };
}

/** The managed fields of a server's configuration, for the report. */
function pick(c: Current, opts: EventStreamOptions): EventStreamConfig {
  const want = streamConfig(opts);
  const num = (v: unknown, d: number) => (typeof v === "number" ? v : d);
  return {
    name: typeof c.name === "string" ? c.name : opts.name,
    subjects: Array.isArray(c.subjects) ? (c.subjects as string[]) : want.subjects,
    retention: typeof c.retention === "string" ? c.retention : want.retention,
    storage: typeof c.storage === "string" ? c.storage : want.storage,
    max_age: num(c.max_age, want.max_age),
    duplicate_window: num(c.duplicate_window, want.duplicate_window),
    num_replicas: num(c.num_replicas, want.num_replicas),
  };
}

/**
 * `2h`, `90d`, `1h30m`, `45s`: the largest units that add up exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./stream.ts";
 *
 * assert.equal(formatDuration(5_400_000), "1h30m");
 * assert.equal(formatDuration(90 * 86_400_000), "90d");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const units: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], [
    "s",
    1_000,
  ]];
  let rest = Math.round(ms);
  let out = "";
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out || `${ms}ms`;
}
