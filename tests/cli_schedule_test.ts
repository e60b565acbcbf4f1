/**
 * The `kaizen` CLI as a subprocess: every `cliTest` runs once against
 * `cli.ts` and once against the bundle `dist/kaizen.js`.
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, type CliEntry, cliTest, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { programName } from "../core/cli/program.ts";
import { parseSchedule } from "../core/manifest/parse.ts";
import { VERSION } from "../core/version.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const MANIFEST = ".kaizen/schedule.yml";

/** Runs the CLI and checks what must hold for every run: no stack trace. */
async function kaizen(
  entry: CliEntry,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const r = await runCli(entry, args, opts);
  const shown = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.ok(!r.stderr.includes("    at "), `stack trace on stderr:\n${shown}`);
  assert.ok(!r.stdout.includes("    at "), `stack trace on stdout:\n${shown}`);
  return { ...r, shown };
}

/** Runs `fn` with a temporary repo holding `files`, then removes it. */
async function withRepo(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await tempRepo(files);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

// --- version, help, usage errors -------------------------------------------

cliTest("--version and -V print the version", async (e) => {
  for (const flag of ["--version", "-V"]) {
    const r = await kaizen(e, [flag]);
    assert.equal(r.code, 0, r.shown);
    assert.equal(r.stdout, `kaizen ${VERSION}\n`);
    assert.equal(r.stderr, "");
  }
});

cliTest("--help at the root lists the commands", async (e) => {
  const r = await kaizen(e, ["--help"]);
  assert.equal(r.code, 0, r.shown);
  assert.match(r.stdout, /^Usage: kaizen <command> \[options\]/);
  assert.match(r.stdout, /^ {2}schedule {2,}\S/m);
  assert.match(r.stdout, /^ {2}completions {2,}\S/m);
  assert.match(r.stdout, /--version/);
  // No arguments at all shows the same help.
  const bare = await kaizen(e, []);
  assert.equal(bare.code, 0, bare.shown);
  assert.equal(bare.stdout, r.stdout);
});

cliTest("--help on the schedule group lists init, validate, list", async (e) => {
  for (const argv of [["schedule", "--help"], ["schedule"], ["help", "schedule"]]) {
    const r = await kaizen(e, argv);
    assert.equal(r.code, 0, r.shown);
    assert.match(r.stdout, /^Usage: kaizen schedule <command> \[options\]/, argv.join(" "));
    for (const sub of ["init", "validate", "list"]) {
      assert.match(r.stdout, new RegExp(`^ {2}${sub} {2,}\\S`, "m"), sub);
    }
  }
});

cliTest("--help on leaf commands lists their options", async (e) => {
  const init = await kaizen(e, ["schedule", "init", "--help"]);
  assert.equal(init.code, 0, init.shown);
  assert.match(init.stdout, /^Usage: kaizen schedule init \[options\]/);
  for (const flag of ["--target <PATH>", "--timezone <TZ>", "--force", "--engagement"]) {
    assert.ok(init.stdout.includes(flag), flag);
  }
  assert.match(init.stdout, /--bootstrap-cadence <hourly\|daily\|weekly>/);
  const list = await kaizen(e, ["schedule", "list", "-h"]);
  assert.equal(list.code, 0, list.shown);
  assert.match(list.stdout, /--format <table\|json> +Output format \(default: table\)/);
  assert.match(list.stdout, /--now <ISO>/);
  const completions = await kaizen(e, ["completions", "--help"]);
  assert.equal(completions.code, 0, completions.shown);
  assert.match(completions.stdout, /^Usage: kaizen completions <shell> \[options\]/);
});

cliTest("a mistyped command exits 2 with a suggestion", async (e) => {
  const r = await kaizen(e, ["schedul"]);
  assert.equal(r.code, 2, r.shown);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /unknown command 'schedul' \(did you mean 'schedule'\?\)/);
  assert.match(r.stderr, /Run 'kaizen --help' for usage\./);
  const nested = await kaizen(e, ["schedule", "validat"]);
  assert.equal(nested.code, 2, nested.shown);
  assert.match(nested.stderr, /did you mean 'validate'\?/);
  assert.match(nested.stderr, /Run 'kaizen schedule --help' for usage\./);
});

cliTest("an unknown flag exits 2 with a suggestion", async (e) => {
  const r = await kaizen(e, ["schedule", "validate", "--taget", PILOT]);
  assert.equal(r.code, 2, r.shown);
  assert.match(r.stderr, /unknown option '--taget' \(did you mean '--target'\?\)/);
  assert.match(r.stderr, /Run 'kaizen schedule validate --help' for usage\./);
});

cliTest("a bad --format choice exits 2", async (e) => {
  const v = await kaizen(e, ["schedule", "validate", "--target", PILOT, "--format", "yaml"]);
  assert.equal(v.code, 2, v.shown);
  assert.match(v.stderr, /option '--format' must be one of text, json, got 'yaml'/);
  const l = await kaizen(e, ["schedule", "list", "--target", PILOT, "--format", "text"]);
  assert.equal(l.code, 2, l.shown);
  assert.match(l.stderr, /must be one of table, json/);
});

cliTest("an option without its value exits 2", async (e) => {
  const r = await kaizen(e, ["schedule", "validate", "--target"]);
  assert.equal(r.code, 2, r.shown);
  assert.match(r.stderr, /option '--target' needs a value \(PATH\)/);
});

// --- validate ----------------------------------------------------------------

cliTest("validate accepts the shipped examples/pilot", async (e) => {
  const r = await kaizen(e, ["schedule", "validate", "--target", PILOT]);
  assert.equal(r.code, 0, r.shown);
  assert.equal(r.stdout, `${PILOT}/${MANIFEST}: valid (3 agents, 2 enabled)\n`);
  assert.equal(r.stderr, "");
});

cliTest("validate defaults --target to the current directory", async (e) => {
  const r = await kaizen(e, ["schedule", "validate"], { cwd: PILOT });
  assert.equal(r.code, 0, r.shown);
  assert.equal(r.stdout, `${MANIFEST}: valid (3 agents, 2 enabled)\n`);
});

const INVALID_MANIFEST = [
  "version: 1", // 1:10
  "timezone: Mars/Base", // 2:11
  "agents:",
  "  coach:",
  "    cadance: weekly", // 4:3 missing cadence, 5:5 unknown key
  "  optimization:",
  "    cadence: weekly",
  '    cron: "0 24 * * *"', // 8:14 (the hour field)
  "  tdd-workflow:",
  "    cadence: monthly",
  '    enabled: "yes"', // 11:14
  "",
].join("\n");

const INVALID_POSITIONS: [number, number, RegExp][] = [
  [1, 10, /version must be the string "1".*quote it/],
  [2, 11, /timezone 'Mars\/Base' is not an IANA time zone/],
  [4, 3, /agent 'coach' is missing required key 'cadence'/],
  [5, 5, /unknown key 'cadance' in agent 'coach' \(did you mean 'cadence'\?\)/],
  [8, 14, /cron hour value 24 is out of range 0-23/],
  [11, 14, /enabled must be a boolean/],
];

cliTest("validate reports every error as file:line:col and exits 1", async (e) => {
  await withRepo({ [MANIFEST]: INVALID_MANIFEST }, async (dir) => {
    const r = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.equal(r.stdout, "");
    const file = `${dir}/${MANIFEST}`;
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, INVALID_POSITIONS.length + 1, r.shown);
    INVALID_POSITIONS.forEach(([line, col, message], i) => {
      assert.ok(lines[i].startsWith(`${file}:${line}:${col}: error: `), lines[i]);
      assert.match(lines[i], message);
    });
    assert.equal(lines.at(-1), `${file}: invalid (6 errors)`);
  });
});

cliTest("validate --format json lists diagnostics with line and col", async (e) => {
  await withRepo({ [MANIFEST]: INVALID_MANIFEST }, async (dir) => {
    const r = await kaizen(e, ["schedule", "validate", "--target", dir, "--format", "json"]);
    assert.equal(r.code, 1, r.shown);
    const body = JSON.parse(r.stdout);
    assert.equal(body.valid, false);
    assert.equal(body.exists, true);
    assert.equal(body.file, `${dir}/${MANIFEST}`);
    assert.deepEqual(
      body.diagnostics.map((d: { line: number; col: number }) => [d.line, d.col]),
      INVALID_POSITIONS.map(([line, col]) => [line, col]),
    );
    for (const d of body.diagnostics) {
      assert.equal(d.severity, "error");
      assert.equal(typeof d.code, "string");
      assert.equal(typeof d.message, "string");
      assert.ok(Array.isArray(d.path));
    }
    assert.equal(body.schedule, undefined);
  });
  const ok = await kaizen(e, ["schedule", "validate", "--target", PILOT, "--format", "json"]);
  assert.equal(ok.code, 0, ok.shown);
  const body = JSON.parse(ok.stdout);
  assert.equal(body.valid, true);
  assert.deepEqual(body.diagnostics, []);
  assert.equal(body.schedule.timezone, "Europe/Berlin");
  assert.deepEqual(body.schedule.agents["tdd-workflow"], { cadence: "monthly", enabled: false });
});

cliTest("validate: a missing manifest exits 1", async (e) => {
  await withRepo({ "README.md": "hi\n" }, async (dir) => {
    const r = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.stderr, new RegExp(`no manifest at ${dir}/\\.kaizen/schedule\\.yml`));
    const j = await kaizen(e, ["schedule", "validate", "--target", dir, "--format", "json"]);
    assert.equal(j.code, 1, j.shown);
    const body = JSON.parse(j.stdout);
    assert.equal(body.exists, false);
    assert.equal(body.valid, false);
  });
});

cliTest("a --target that does not exist or is a file exits 2", async (e) => {
  const missing = await kaizen(e, ["schedule", "validate", "--target", "/nonexistent/kaizen"]);
  assert.equal(missing.code, 2, missing.shown);
  assert.match(missing.stderr, /--target '\/nonexistent\/kaizen' does not exist/);
  for (const cmd of ["init", "list"]) {
    const r = await kaizen(e, ["schedule", cmd, "--target", "/nonexistent/kaizen"]);
    assert.equal(r.code, 2, `${cmd}\n${r.shown}`);
  }
  const file = await kaizen(e, ["schedule", "validate", "--target", `${PILOT}/README.md`]);
  assert.equal(file.code, 2, file.shown);
  assert.match(file.stderr, /is not a directory/);
});

cliTest("validate: an oversized manifest is refused at 1:1", async (e) => {
  const text = 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n#' + "x".repeat(300_000);
  await withRepo({ [MANIFEST]: text }, async (dir) => {
    const r = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.stderr, /schedule\.yml:1:1: error: manifest is \d+ bytes; the limit is 262144/);
  });
});

cliTest("validate: a manifest that is not UTF-8 is refused", async (e) => {
  await withRepo({}, async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen`);
    await Deno.writeFile(
      `${dir}/${MANIFEST}`,
      new Uint8Array([...new TextEncoder().encode('version: "1"\n# '), 0xff, 0xfe, 0x0a]),
    );
    const r = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.stderr, /1:1: error: manifest is not valid UTF-8 text/);
  });
});

cliTest("validate accepts agents installed in <target>/agents/", async (e) => {
  const files = {
    [MANIFEST]: 'version: "1"\nagents:\n  house-style:\n    cadence: weekly\n',
    "agents/agent-house-style.md": "# House style\n",
  };
  await withRepo(files, async (dir) => {
    const r = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(r.code, 0, r.shown);
    await Deno.remove(`${dir}/agents/agent-house-style.md`);
    const gone = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(gone.code, 1, gone.shown);
    assert.match(gone.stderr, /3:3: error: agent 'house-style' is neither installed nor packaged/);
  });
});

cliTest("validate: stderr carries nothing but diagnostics (complex mapping key)", async (e) => {
  const text = 'version: "1"\nagents:\n  ? [a, b]\n  : cadence: weekly\n';
  await withRepo({ [MANIFEST]: text }, async (dir) => {
    const r = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.equal(
      r.stderr,
      `${dir}/${MANIFEST}:3:5: error: mapping keys must be plain strings, got a list\n` +
        `${dir}/${MANIFEST}: invalid (1 error)\n`,
    );
  });
});

// --- init --------------------------------------------------------------------

cliTest("init writes a valid, commented manifest and the schema copy", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, ["schedule", "init", "--target", dir, "--timezone", "Europe/Berlin"]);
    assert.equal(r.code, 0, r.shown);
    assert.match(
      r.stdout,
      /^created .*\.kaizen\/schedule\.yml \(coach, optimization, tdd-workflow;/,
    );
    const text = await Deno.readTextFile(`${dir}/${MANIFEST}`);
    assert.ok(
      text.startsWith("# yaml-language-server: $schema=./schedule.schema.json\n"),
      text.slice(0, 80),
    );
    assert.match(text, /^timezone: Europe\/Berlin/m);
    const parsed = parseSchedule(text, MANIFEST, {
      knownAgents: ["coach", "optimization", "tdd-workflow"],
    });
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.schedule!.agents["tdd-workflow"].enabled, false);
    const copy = JSON.parse(await Deno.readTextFile(`${dir}/.kaizen/schedule.schema.json`));
    const committed = JSON.parse(
      await Deno.readTextFile(`${REPO_ROOT}/schemas/schedule.schema.json`),
    );
    assert.deepEqual(copy, committed);
    const v = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(v.code, 0, v.shown);
    // Atomic writes leave no temporary files behind.
    const names: string[] = [];
    for await (const entry of Deno.readDir(`${dir}/.kaizen`)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["schedule.schema.json", "schedule.yml"]);
  });
});

cliTest("init without --timezone still writes a valid manifest", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, ["schedule", "init"], { cwd: dir });
    assert.equal(r.code, 0, r.shown);
    const v = await kaizen(e, ["schedule", "validate"], { cwd: dir });
    assert.equal(v.code, 0, v.shown);
  });
});

cliTest("init refuses to overwrite (exit 1, file byte-for-byte unchanged)", async (e) => {
  const mine = "# my own manifest, hand-edited\nversion: 1\n\u00e9\n";
  await withRepo({ [MANIFEST]: mine }, async (dir) => {
    const before = await Deno.readFile(`${dir}/${MANIFEST}`);
    const r = await kaizen(e, ["schedule", "init", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.stderr, /schedule\.yml already exists; not overwriting \(pass --force/);
    assert.deepEqual(await Deno.readFile(`${dir}/${MANIFEST}`), before);
    assert.equal(await exists(`${dir}/.kaizen/schedule.schema.json`), false);
  });
});

cliTest("init --force replaces an existing manifest", async (e) => {
  await withRepo({ [MANIFEST]: "garbage: [\n" }, async (dir) => {
    const r = await kaizen(e, [
      "schedule",
      "init",
      "--target",
      dir,
      "--force",
      "--timezone",
      "UTC",
    ]);
    assert.equal(r.code, 0, r.shown);
    assert.match(r.stdout, /^replaced /);
    const text = await Deno.readTextFile(`${dir}/${MANIFEST}`);
    assert.ok(!text.includes("garbage"));
    const v = await kaizen(e, ["schedule", "validate", "--target", dir]);
    assert.equal(v.code, 0, v.shown);
  });
});

cliTest("init --timezone Mars/Base exits 2 and writes nothing", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, ["schedule", "init", "--target", dir, "--timezone", "Mars/Base"]);
    assert.equal(r.code, 2, r.shown);
    assert.match(r.stderr, /--timezone 'Mars\/Base' is not an IANA time zone/);
    assert.equal(await exists(`${dir}/.kaizen`), false);
  });
});

cliTest("init --engagement --agents coach --bootstrap-cadence hourly", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, [
      "schedule",
      "init",
      "--target",
      dir,
      "--engagement",
      "--agents",
      "coach",
      "--bootstrap-cadence",
      "hourly",
      "--timezone",
      "UTC",
    ]);
    assert.equal(r.code, 0, r.shown);
    const text = await Deno.readTextFile(`${dir}/${MANIFEST}`);
    const { schedule, diagnostics } = parseSchedule(text);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(schedule!.agents, {
      coach: { cadence: "daily", cron: "0 * * * *", enabled: true },
    });
  });
});

cliTest("init --engagement defaults to coach and optimization, daily", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, ["schedule", "init", "--target", dir, "--engagement"]);
    assert.equal(r.code, 0, r.shown);
    const { schedule } = parseSchedule(await Deno.readTextFile(`${dir}/${MANIFEST}`));
    assert.deepEqual(schedule!.agents, {
      coach: { cadence: "daily", enabled: true },
      optimization: { cadence: "daily", enabled: true },
    });
  });
});

cliTest("init --agents with an unknown agent exits 2 with a suggestion", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, ["schedule", "init", "--target", dir, "--agents", "nope"]);
    assert.equal(r.code, 2, r.shown);
    assert.match(
      r.stderr,
      /--agents: unknown agent 'nope'; known: coach, optimization, tdd-workflow/,
    );
    const near = await kaizen(e, ["schedule", "init", "--target", dir, "--agents", "optimisation"]);
    assert.equal(near.code, 2, near.shown);
    assert.match(near.stderr, /unknown agent 'optimisation' \(did you mean 'optimization'\?\)/);
    assert.equal(await exists(`${dir}/.kaizen`), false);
  });
});

cliTest("init --bootstrap-cadence without --engagement exits 2", async (e) => {
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, [
      "schedule",
      "init",
      "--target",
      dir,
      "--bootstrap-cadence",
      "daily",
    ]);
    assert.equal(r.code, 2, r.shown);
    assert.match(r.stderr, /--bootstrap-cadence only applies with --engagement/);
    const bad = await kaizen(e, [
      "schedule",
      "init",
      "--target",
      dir,
      "--engagement",
      "--bootstrap-cadence",
      "monthly",
    ]);
    assert.equal(bad.code, 2, bad.shown);
    assert.match(bad.stderr, /must be one of hourly, daily, weekly/);
  });
});

// --- list --------------------------------------------------------------------

const NOW = "2026-11-22T12:00:00Z";

function row(stdout: string, agent: string): string | undefined {
  return stdout.split("\n").find((l) => l.split(/\s+/)[0] === agent);
}

cliTest("list shows enabled agents with next run in the zone and in UTC", async (e) => {
  const r = await kaizen(e, ["schedule", "list", "--target", PILOT, "--now", NOW]);
  assert.equal(r.code, 0, r.shown);
  const header = r.stdout.split("\n")[0];
  assert.match(header, /^AGENT +ENABLED +CADENCE +CRON +TIMEZONE +NEXT RUN +NEXT RUN \(UTC\)$/);
  const coach = row(r.stdout, "coach");
  assert.ok(coach, r.shown);
  assert.match(
    coach,
    /^coach +yes +weekly +0 9 \* \* 1 +Europe\/Berlin +2026-11-23T09:00:00\+01:00 +2026-11-23T08:00:00Z$/,
  );
  assert.match(row(r.stdout, "optimization")!, /2026-11-23T10:00:00\+01:00 +2026-11-23T09:00:00Z/);
  assert.equal(row(r.stdout, "tdd-workflow"), undefined, "disabled agents are hidden");
});

cliTest("list --all includes disabled agents", async (e) => {
  const r = await kaizen(e, ["schedule", "list", "--target", PILOT, "--now", NOW, "--all"]);
  assert.equal(r.code, 0, r.shown);
  const tdd = row(r.stdout, "tdd-workflow");
  assert.ok(tdd, r.shown);
  assert.match(
    tdd,
    /^tdd-workflow +no +monthly +0 9 1 \* \* \(default\) +Europe\/Berlin +disabled +-$/,
  );
});

cliTest("list --format json", async (e) => {
  const r = await kaizen(e, [
    "schedule",
    "list",
    "--target",
    PILOT,
    "--now",
    NOW,
    "--all",
    "--format",
    "json",
  ]);
  assert.equal(r.code, 0, r.shown);
  const body = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(body).sort(), [
    "agents",
    "count",
    "file",
    "horizon_days",
    "now",
    "timezone",
    "timezone_source",
  ]);
  assert.equal(body.file, `${PILOT}/${MANIFEST}`);
  assert.equal(body.now, NOW);
  assert.equal(body.timezone, "Europe/Berlin");
  assert.equal(body.timezone_source, "manifest");
  assert.deepEqual(body.agents[0], {
    agent: "coach",
    enabled: true,
    state: "scheduled",
    cadence: "weekly",
    cron: "0 9 * * 1",
    cron_source: "cron",
    timezone: "Europe/Berlin",
    next_run: "2026-11-23T09:00:00+01:00",
    next_run_utc: "2026-11-23T08:00:00Z",
    next_runs: [{ local: "2026-11-23T09:00:00+01:00", utc: "2026-11-23T08:00:00Z" }],
    complete: true,
  });
  assert.deepEqual(body.agents.map((a: { agent: string }) => a.agent), [
    "coach",
    "optimization",
    "tdd-workflow",
  ]);
  assert.deepEqual(body.agents[2], {
    agent: "tdd-workflow",
    enabled: false,
    state: "disabled",
    cadence: "monthly",
    cron: "0 9 1 * *",
    cron_source: "cadence",
    timezone: "Europe/Berlin",
    next_run: null,
    next_run_utc: null,
    next_runs: [],
    complete: true,
  });
});

cliTest("list --now garbage exits 2", async (e) => {
  for (const now of ["garbage", "2026-13-45T00:00:00Z", "tomorrow"]) {
    const r = await kaizen(e, ["schedule", "list", "--target", PILOT, "--now", now]);
    assert.equal(r.code, 2, `${now}\n${r.shown}`);
    assert.match(r.stderr, /is not an ISO 8601 date-time/);
  }
});

cliTest("list without a manifest timezone uses UTC, marked as the default", async (e) => {
  const text = 'version: "1"\nagents:\n  coach:\n    cadence: daily\n';
  await withRepo({ [MANIFEST]: text }, async (dir) => {
    const r = await kaizen(e, ["schedule", "list", "--target", dir, "--now", NOW]);
    assert.equal(r.code, 0, r.shown);
    assert.match(
      row(r.stdout, "coach")!,
      /^coach +yes +daily +0 9 \* \* \* \(default\) +UTC \(default\) +2026-11-23T09:00:00Z +2026-11-23T09:00:00Z$/,
    );
    const j = await kaizen(e, [
      "schedule",
      "list",
      "--target",
      dir,
      "--now",
      NOW,
      "--format",
      "json",
    ]);
    const body = JSON.parse(j.stdout);
    assert.equal(body.timezone, "UTC");
    assert.equal(body.timezone_source, "default");
  });
});

cliTest("list on an invalid or missing manifest exits 1", async (e) => {
  await withRepo({ [MANIFEST]: INVALID_MANIFEST }, async (dir) => {
    const r = await kaizen(e, ["schedule", "list", "--target", dir, "--now", NOW]);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.stderr, /schedule\.yml:1:10: error: /);
    assert.equal(r.stdout, "");
  });
  await withRepo({}, async (dir) => {
    const r = await kaizen(e, ["schedule", "list", "--target", dir]);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.stderr, /no manifest at/);
  });
});

// --- completions ---------------------------------------------------------------

cliTest("completions bash is valid bash and completes subcommands", async (e) => {
  const r = await kaizen(e, ["completions", "bash"]);
  assert.equal(r.code, 0, r.shown);
  await withRepo({ "kaizen.bash": r.stdout }, async (dir) => {
    const script = `${dir}/kaizen.bash`;
    const syntax = await new Deno.Command("bash", { args: ["-n", script], stderr: "piped" })
      .output();
    assert.equal(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
    const fn = /^complete -F (\S+) kaizen$/m.exec(r.stdout)?.[1];
    assert.ok(fn, "registers a completion function for kaizen");
    assert.match(r.stdout, new RegExp(`^complete -F ${fn} kaizen-agentic$`, "m"));
    const complete = async (...words: string[]) => {
      const out = await new Deno.Command("bash", {
        args: [
          "-c",
          `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ${fn}; ` +
          'printf "%s\\n" "${COMPREPLY[@]}"',
          "bash",
          script,
          ...words,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      assert.equal(out.code, 0, dec.decode(out.stderr));
      return dec.decode(out.stdout).split("\n").filter((s) => s !== "");
    };
    const sub = await complete("kaizen", "schedule", "");
    for (const name of ["init", "validate", "list"]) assert.ok(sub.includes(name), sub.join(" "));
    assert.deepEqual(await complete("kaizen", "sch"), ["schedule"]);
    assert.deepEqual(await complete("kaizen", "schedule", "li"), ["list"]);
    const flags = await complete("kaizen", "schedule", "list", "--");
    for (const f of ["--target", "--all", "--format", "--now"]) assert.ok(flags.includes(f), f);
    assert.deepEqual(await complete("kaizen", "schedule", "list", "--format", ""), [
      "table",
      "json",
    ]);
    assert.deepEqual(await complete("kaizen", "completions", ""), ["bash", "zsh", "fish"]);
  });
});

cliTest("completions zsh and fish name every command", async (e) => {
  for (const shell of ["zsh", "fish"]) {
    const r = await kaizen(e, ["completions", shell]);
    assert.equal(r.code, 0, r.shown);
    for (const word of ["schedule", "completions", "init", "validate", "list"]) {
      assert.ok(r.stdout.includes(word), `${shell}: ${word}`);
    }
    for (const flag of ["target", "timezone", "force", "engagement", "bootstrap-cadence", "now"]) {
      assert.ok(r.stdout.includes(flag), `${shell}: ${flag}`);
    }
  }
  const zsh = await kaizen(e, ["completions", "zsh"]);
  assert.match(zsh.stdout, /^#compdef kaizen/);
  const fish = await kaizen(e, ["completions", "fish"]);
  assert.match(fish.stdout, /^complete -c kaizen /m);
  assert.match(fish.stdout, /^complete -c kaizen-agentic /m);
  // `schedule list` and `plugins list` share a name; their options stay apart.
  const lines = fish.stdout.split("\n");
  const allFlag = lines.filter((l) => / -l all /.test(l) && l.startsWith("complete -c kaizen "));
  assert.deepEqual(allFlag.map((l) => /-n '([^']*)'/.exec(l)![1]), [
    "__fish_seen_subcommand_from schedule; and __fish_seen_subcommand_from list",
  ]);
});

cliTest("completions for an unknown shell exits 2", async (e) => {
  const r = await kaizen(e, ["completions", "tcsh"]);
  assert.equal(r.code, 2, r.shown);
  assert.match(r.stderr, /unknown shell 'tcsh'; expected one of: bash, zsh, fish/);
  assert.equal(r.stdout, "");
  const none = await kaizen(e, ["completions"]);
  assert.equal(none.code, 2, none.shown);
  assert.match(none.stderr, /missing argument <shell>/);
});

// --- program name ----------------------------------------------------------------

Deno.test("programName answers to kaizen and kaizen-agentic", () => {
  assert.equal(programName("/usr/local/bin/kaizen-agentic"), "kaizen-agentic");
  assert.equal(programName("/usr/local/bin/kaizen"), "kaizen");
  assert.equal(programName("C:/tools/kaizen-agentic.exe"), "kaizen-agentic");
  assert.equal(programName("/root/.deno/bin/deno"), "kaizen");
  assert.equal(programName("/opt/kaizen-agentic-old"), "kaizen");
});

cliTest("init: a .kaizen that is a file gives a one-line error, exit 1", async (entry) => {
  const dir = await tempRepo({ ".kaizen": "not a folder\n" });
  try {
    const r = await runCli(entry, ["schedule", "init", "--target", dir, "--timezone", "UTC"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^kaizen: error: cannot write .*\.kaizen\/schedule\.yml: /);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.equal(await Deno.readTextFile(`${dir}/.kaizen`), "not a folder\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const haveFish = (() => {
  try {
    return new Deno.Command("fish", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "completions fish, in a real fish: plugins list is not offered schedule list's options",
  ignore: !haveFish,
  fn: async () => {
    const r = await kaizen(CLI_ENTRIES[0], ["completions", "fish"]);
    await withRepo({ "kaizen.fish": r.stdout }, async (dir) => {
      const complete = async (line: string) => {
        const out = await new Deno.Command("fish", {
          args: ["-c", `source ${dir}/kaizen.fish; complete -C '${line}'`],
          stdout: "piped",
          stderr: "piped",
        }).output();
        return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "")
          .map((l) => l.split("\t")[0]).sort();
      };
      assert.deepEqual(await complete("kaizen plugins list --"), [
        "--format",
        "--plugins",
        "--target",
        "--trust-repo-plugins",
      ]);
      assert.ok((await complete("kaizen schedule list --")).includes("--all"));
    });
  },
});

Deno.test("completions offer agent names: packaged, and installed ones in the current directory", async () => {
  const bash = (await kaizen(CLI_ENTRIES[0], ["completions", "bash"])).stdout;
  const fish = (await kaizen(CLI_ENTRIES[0], ["completions", "fish"])).stdout;
  const zsh = (await kaizen(CLI_ENTRIES[0], ["completions", "zsh"])).stdout;
  await withRepo({
    "kaizen.bash": bash,
    "kaizen.fish": fish,
    "_kaizen": zsh,
    "agents/agent-house-style.md": "# House style\n",
  }, async (dir) => {
    const run = async (shell: string, script: string) => {
      const out = await new Deno.Command(shell, {
        args: ["-c", script],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      return new TextDecoder().decode(out.stdout).split(/\s+/).filter((w) =>
        w !== "" && !w.startsWith("-")
      ).sort();
    };
    const all = ["coach", "house-style", "optimization", "tdd-workflow"];
    assert.deepEqual(
      await run(
        "bash",
        `source kaizen.bash; COMP_WORDS=(kaizen schedule prepare ""); COMP_CWORD=3; _kaizen_complete; echo "\${COMPREPLY[@]}"`,
      ),
      all,
    );
    if (haveFish) {
      assert.deepEqual(
        await run("fish", "source kaizen.fish; complete -C 'kaizen memory add '"),
        all,
      );
    }
    let haveZsh = false;
    try {
      haveZsh = new Deno.Command("zsh", { args: ["--version"], stdout: "null", stderr: "null" })
        .outputSync().success;
    } catch { /* no zsh */ }
    if (haveZsh) {
      assert.deepEqual(
        await run(
          "zsh",
          "source ./_kaizen 2>/dev/null; compadd() { [[ $1 == -a ]] && print -l -- ${(P)2}; }; _kaizen_agents",
        ),
        all,
      );
    }
  });
});
