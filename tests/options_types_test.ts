/**
 * Options are declared once (core/commands/options.ts and each command
 * group's module) and typed from that declaration twice over: the parser
 * delivers each value as its kind (a number, a `Date`, milliseconds, an
 * interval), range-checked, and `inv.opts` has the same types, with choices
 * narrowed to their union and options that always have a value
 * non-optional.
 *
 * The compile-time half is tested two ways: `@ts-expect-error` lines below
 * (`deno check` fails if one of them ever compiles), and planted files that
 * `deno check` must refuse — a typo in a choice compared against, and an
 * option read as the wrong type — next to the correct version it accepts.
 */
import assert from "node:assert/strict";
import {
  type CommandSpec,
  defineCommand,
  flag,
  type OptionSpec,
  parseArgv,
  typed,
  type TypedInvocation,
  UsageError,
} from "../core/cli/framework.ts";
import { LIST_OPTIONS, type PREPARE_OPTIONS } from "../core/commands/options.ts";
import { commandTree } from "../cli.ts";

Deno.test("option names are checked when the code compiles, values when the command line is parsed", () => {
  const list = {
    args: [],
    path: [],
    opts: { target: ".", format: "table", all: false, count: 3 },
  } satisfies TypedInvocation<typeof LIST_OPTIONS>;
  const count: number = list.opts.count;
  assert.equal(count, 3);
  // @ts-expect-error: 'cuont' is not an option of `schedule list`
  assert.equal(list.opts.cuont, undefined);

  type PrepareOptions = TypedInvocation<typeof PREPARE_OPTIONS>["opts"];
  const timeout = (o: PrepareOptions): number | undefined => o["sink-timeout"];
  assert.equal(
    timeout({
      target: ".",
      format: "json",
      "dry-run": false,
      strict: false,
      "trust-repo-plugins": false,
    }),
    undefined,
  );
  // @ts-expect-error: 'sink_timeout' is not an option of `schedule prepare`
  const misspelt = (o: PrepareOptions) => o.sink_timeout;
  assert.equal(typeof misspelt, "function");

  // The parser fills exactly the declared names, which is what `typed` relies on.
  const out = parseArgv(commandTree(), ["schedule", "list", "--count", "2", "--all"]);
  assert.equal(out.kind, "run");
  if (out.kind === "run") {
    const inv = typed(out.invocation, LIST_OPTIONS);
    assert.equal(inv.opts.count, 2, "an integer arrives as a number");
    assert.equal(inv.opts.all, true);
    assert.equal(inv.opts.format, "table", "the default is applied");
    assert.deepEqual(Object.keys(out.invocation.opts).sort(), ["all", "count", "format", "target"]);
  }
});

Deno.test("defineCommand types run from the options declared beside it", async () => {
  const seen: string[] = [];
  const cmd = defineCommand({
    name: "report",
    description: "Report",
    options: [
      {
        name: "format",
        type: "string",
        choices: ["text", "json"],
        default: "text",
        description: "",
      },
      { name: "budget", type: "integer", min: 1, description: "" },
      flag("dry-run", "Send nothing"),
    ],
    run: (inv) => {
      const format: "text" | "json" = inv.opts.format;
      const budget: number | undefined = inv.opts.budget;
      const dryRun: boolean = inv.opts["dry-run"];
      // @ts-expect-error: "jsno" is not one of the choices
      if (inv.opts.format === "jsno") seen.push("never");
      // @ts-expect-error: an integer option is a number, not text
      const text: string | undefined = inv.opts.budget;
      seen.push(`${format} ${budget} ${dryRun} ${text}`);
      return Promise.resolve(0);
    },
  });
  const out = parseArgv({ name: "t", description: "", subcommands: [cmd] }, [
    "report",
    "--budget",
    "5",
  ]);
  assert.equal(out.kind, "run");
  if (out.kind === "run") assert.equal(await out.command.run!(out.invocation), 0);
  assert.deepEqual(seen, ["text 5 false 5"]);

  defineCommand({
    name: "typo",
    description: "",
    // @ts-expect-error: 'choises' is no option property (a typo must not pass silently)
    options: [{ name: "format", type: "string", choises: ["a"], description: "" }],
    run: () => Promise.resolve(0),
  });
});

// --- each kind through the parser --------------------------------------------

const KINDS = [
  { name: "flag", type: "boolean", description: "a flag" },
  { name: "format", type: "string", choices: ["table", "json"], default: "table", description: "" },
  { name: "budget", type: "integer", min: 1, max: 100, description: "tokens" },
  { name: "size", type: "integer", min: 1, default: 16, description: "per batch" },
  { name: "quality", type: "number", min: 0, max: 1, description: "0-1" },
  { name: "time", type: "number", min: 0, required: true, valueName: "SECONDS", description: "" },
  { name: "now", type: "instant", description: "the clock" },
  { name: "since", type: "duration", max: 7 * 86_400_000, description: "a span" },
  { name: "max-age", type: "duration", zero: "no limit", description: "a limit" },
  { name: "grace", type: "duration", default: "6h", description: "a wait" },
  { name: "due", type: "interval", max: 366 * 86_400_000, description: "a window" },
] as const satisfies readonly OptionSpec[];

const TOOL: CommandSpec = {
  name: "tool",
  description: "A test tool.",
  subcommands: [{ name: "go", description: "Go", options: KINDS, run: () => Promise.resolve(0) }],
};

/** `tool go --time 1 <argv>`'s options, typed. */
function parse(argv: string[]): TypedInvocation<typeof KINDS>["opts"] {
  const out = parseArgv(TOOL, ["go", "--time", "1", ...argv]);
  if (out.kind !== "run") throw new Error("not a run");
  return typed(out.invocation, KINDS).opts;
}

function refused(argv: string[], message: RegExp): void {
  assert.throws(() => parse(argv), (e: Error) => {
    assert.ok(e instanceof UsageError, e.message);
    assert.match(e.message, message);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  }, argv.join(" "));
}

Deno.test("kinds: absent options are false, their default, or undefined", () => {
  const o = parse([]);
  // Typed narrowing: these assignments compile only because the types are exact.
  const flag: boolean = o.flag;
  const format: "table" | "json" = o.format;
  const size: number = o.size;
  const grace: number = o.grace;
  const time: number = o.time;
  assert.deepEqual([flag, format, size, grace, time], [false, "table", 16, 6 * 3_600_000, 1]);
  assert.deepEqual(
    [o.budget, o.quality, o.now, o.since, o["max-age"], o.due],
    [undefined, undefined, undefined, undefined, undefined, undefined],
  );
});

Deno.test("kinds: integer and number arrive as numbers, range-checked", () => {
  assert.equal(parse(["--budget", "100"]).budget, 100);
  assert.equal(parse(["--quality", "0.25"]).quality, 0.25);
  refused(
    ["--budget", "101"],
    /^option '--budget' must be a whole number from 1 to 100, got '101'$/,
  );
  refused(["--budget", "1.5"], /must be a whole number from 1 to 100, got '1.5'/);
  refused(["--budget", "ten"], /must be a whole number from 1 to 100, got 'ten'/);
  refused(["--size", "0"], /^option '--size' must be a whole number of at least 1, got '0'$/);
  refused(["--quality", "2"], /^option '--quality' must be a number from 0 to 1, got '2'$/);
});

Deno.test("kinds: a required option is refused when absent", () => {
  assert.throws(() => parseArgv(TOOL, ["go"]), /^UsageError: missing option '--time <SECONDS>'$/);
});

Deno.test("kinds: an instant arrives as a Date, in 1970..9998", () => {
  const now: Date | undefined = parse(["--now", "2026-11-23T08:00:00Z"]).now;
  assert.equal(now?.toISOString(), "2026-11-23T08:00:00.000Z");
  refused(
    ["--now", "yesterday"],
    /^--now 'yesterday' is not an ISO 8601 date-time \(e\.g\. 2026-11-23T08:00:00Z\)$/,
  );
  refused(
    ["--now", "1969-12-31T00:00:00Z"],
    /^--now '1969-12-31T00:00:00Z' must be between 1970 and 9998$/,
  );
  refused(["--now", "2026-13-45T00:00:00Z"], /is not an ISO 8601 date-time/);
});

Deno.test("kinds: a duration arrives in milliseconds; zero only where it means something", () => {
  assert.equal(parse(["--since", "PT1H"]).since, 3_600_000);
  assert.equal(parse(["--since", "7d"]).since, 7 * 86_400_000);
  assert.equal(parse(["--max-age", "0"])["max-age"], 0, "0 means no limit here");
  assert.equal(parse(["--grace", "30m"]).grace, 1_800_000);
  refused(
    ["--since", "soon"],
    /^option '--since' must be a duration such as 30m, 2h, 7d or PT1H, got 'soon'$/,
  );
  refused(["--since", "8d"], /^option '--since' must be a duration of at most 7 days, got '8d'$/);
  refused(["--since", "0s"], /^option '--since' must be a duration longer than 0, got '0s'$/);
  refused(["--since", "0"], /such as 30m, 2h, 7d or PT1H, got '0'/);
  refused(["--max-age", "x"], /such as 30m, 2h, 7d or PT1H \(0 for no limit\), got 'x'$/);
});

Deno.test("kinds: an interval arrives as start and end, in order and bounded", () => {
  const due = parse(["--due", "2026-11-23T08:00:00Z/PT1H"]).due;
  assert.deepEqual(
    [due?.start.toISOString(), due?.end.toISOString()],
    ["2026-11-23T08:00:00.000Z", "2026-11-23T09:00:00.000Z"],
  );
  const ends = parse(["--due", "2026-11-23T08:00:00Z/2026-11-24T08:00:00Z"]).due;
  assert.equal(ends?.end.toISOString(), "2026-11-24T08:00:00.000Z");
  refused(
    ["--due", "yesterday"],
    /^--due 'yesterday' must be START\/END or START\/DURATION \(e\.g\. 2026-11-23T08:00:00Z\/PT1H\)$/,
  );
  refused(["--due", "2026-11-23T10:00:00Z/2026-11-23T09:00:00Z"], /ends before it starts$/);
  refused(["--due", "2026-01-01T00:00:00Z/P400D"], /is longer than 366 days$/);
});

Deno.test("kinds: choices stay checked, with a suggestion", () => {
  refused(
    ["--format", "jsno"],
    /^option '--format' must be one of table, json, got 'jsno' \(did you mean 'json'\?\)$/,
  );
});

// --- the compiler refuses a typo in a choice and a wrong option type ----------

const OPTIONS_MODULE = new URL("../core/commands/options.ts", import.meta.url).href;
const FRAMEWORK_MODULE = new URL("../core/cli/framework.ts", import.meta.url).href;

/** A command body over `schedule prepare`'s real options, with `body` planted in it. */
function planted(body: string): string {
  return `import type { TypedInvocation } from "${FRAMEWORK_MODULE}";
import type { PREPARE_OPTIONS } from "${OPTIONS_MODULE}";

export function run(inv: TypedInvocation<typeof PREPARE_OPTIONS>): number {
${body}
}
`;
}

async function denoCheck(source: string): Promise<{ ok: boolean; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-options-types-" });
  try {
    const file = `${dir}/planted.ts`;
    await Deno.writeTextFile(file, source);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--no-lock", file],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    return { ok: out.success, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno check refuses a misspelt choice and an option read as the wrong type", async () => {
  // Three checks at once: each type-checks the options module afresh.
  const [correct, typo, wrongType] = await Promise.all([
    denoCheck(planted(`
  if (inv.opts.format === "json") return 1;
  const budget: number | undefined = inv.opts["max-tokens"];
  const when: Date = inv.opts.now ?? new Date(0);
  return (budget ?? 0) + when.getTime();`)),
    denoCheck(planted(`
  if (inv.opts.format === "jsno") return 1;
  return 0;`)),
    denoCheck(planted(`
  const budget: string | undefined = inv.opts["max-tokens"];
  return budget === undefined ? 0 : 1;`)),
  ]);
  assert.ok(correct.ok, `the correct version must compile:\n${correct.stderr}`);

  assert.ok(!typo.ok, "a choice that does not exist must not compile");
  assert.match(typo.stderr, /TS2367|no overlap/);

  assert.ok(!wrongType.ok, "an integer option read as a string must not compile");
  assert.match(wrongType.stderr, /TS2322|not assignable/);
});

Deno.test("sink options: a number arrives parsed, and an absent flag leaves its variable in charge", async () => {
  const { sinkOptionSpecs, resolveSinkOptions } = await import("../core/plugin/sink_options.ts");
  const sink = {
    name: "memo",
    options: [
      { flag: "memo-level", kind: "number", env: "MEMO_LEVEL", description: "Level" },
      { flag: "memo-loud", kind: "boolean", env: "MEMO_LOUD", description: "Loud" },
    ],
    emit: () => Promise.resolve(undefined),
  } as const;
  const tree: CommandSpec = {
    name: "tool",
    description: "",
    subcommands: [{
      name: "go",
      description: "",
      options: sinkOptionSpecs([{ plugin: "memo", sink }], []),
      run: () => Promise.resolve(0),
    }],
  };
  const opts = (argv: string[]) => {
    const out = parseArgv(tree, ["go", ...argv]);
    if (out.kind !== "run") throw new Error("not a run");
    return out.invocation.opts;
  };
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.deepEqual(
    resolveSinkOptions(sink, opts(["--memo-level", "2.5", "--memo-loud"]), env({})),
    { "dry-run": false, "memo-level": 2.5, "memo-loud": true },
  );
  assert.deepEqual(
    resolveSinkOptions(sink, opts([]), env({ MEMO_LEVEL: "3", MEMO_LOUD: "yes" })),
    { "dry-run": false, "memo-level": 3, "memo-loud": true },
    "the parser's false for an absent flag does not hide MEMO_LOUD",
  );
  assert.throws(() => opts(["--memo-level", "high"]), /option '--memo-level' must be a number/);
});
