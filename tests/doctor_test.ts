/**
 * `kaizen doctor`: the binary and repo probes in process (each check's status
 * and fix asserted), then the command as a subprocess from source and from
 * the bundle (exit codes, `--offline`, JSON against the model and the
 * generated schema), and a read-only `.kaizen/` as an unprivileged user.
 *
 * The network probes (hub, nats, artifact-store) have their own tests in
 * doctor_network_test.ts; here they only appear as `--offline` skips.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { type CheckResult, type DoctorReport, DoctorReportModel } from "../core/doctor/model.ts";
import { type DoctorBaseContext, runDoctor } from "../core/doctor/run.ts";
import { binaryProbe, permissionDescriptors, runMode } from "../core/doctor/probe_binary.ts";
import { probeWritable, repoProbe } from "../core/doctor/probe_repo.ts";
import { renderDoctorText } from "../core/doctor/render.ts";
import { urlSecrets } from "../core/commands/doctor.ts";
import { builtinPlugin } from "../plugins/builtin/mod.ts";
import {
  BUNDLE_PATH,
  type CliEntry,
  cliTest,
  EMPTY_CONFIG_HOME,
  REPO_ROOT,
  runCli,
} from "./_cli.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = new Date("2026-11-22T12:00:00Z");

/** A copy of examples/pilot in a fresh temp folder (real path), minus `drop`. */
async function pilotCopy(drop: string[] = []): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-doctor-" }));
  await copyTree(PILOT, dir);
  for (const rel of drop) await Deno.remove(`${dir}/${rel}`, { recursive: true });
  return dir;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** Every path under `dir`, sorted: to prove a run left nothing behind. */
async function listing(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory) out.push(...await listing(dir, rel));
  }
  return out.sort();
}

async function withPilot(
  fn: (dir: string) => Promise<void>,
  drop: string[] = [],
): Promise<void> {
  const dir = await pilotCopy(drop);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function context(over: Partial<DoctorBaseContext> = {}): DoctorBaseContext {
  const env: Record<string, string> = { XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, USER: "tester" };
  return {
    host: "runner-1",
    offline: true,
    // What cli.ts hands doctor: the dry prepare runs the built-ins.
    plugins: { builtins: [builtinPlugin], embedded: [] },
    env: (k) => env[k],
    now: NOW,
    ...over,
  };
}

/** Runs the binary and repo probes in process. */
function doctor(over: Partial<DoctorBaseContext> = {}): Promise<DoctorReport> {
  return runDoctor([binaryProbe, repoProbe], context(over));
}

function check(report: DoctorReport, id: string): CheckResult {
  const c = report.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in: ${report.checks.map((x) => x.id).join(", ")}`);
  return c;
}

function statuses(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

const MANIFEST = (agents: string) => `version: "1"\ntimezone: UTC\nagents:\n${agents}`;
const AGENT = (name: string, enabled = true) =>
  `  ${name}:\n    cadence: weekly\n    enabled: ${enabled}\n`;

// --- binary ------------------------------------------------------------------

Deno.test("binary: run mode from Deno.build.standalone and the module's own URL", () => {
  assert.equal(
    runMode(true, "file:///tmp/deno-compile-kaizen/core/doctor/probe_binary.ts"),
    "compiled",
  );
  assert.equal(runMode(false, "file:///work/core/doctor/probe_binary.ts"), "source");
  assert.equal(runMode(false, "file:///opt/kaizen/dist/chunk-ABC123.js"), "bundle");
  // This test runs from source.
  assert.equal(runMode(), "source");
});

Deno.test("binary: --allow-* flags become permission descriptors", () => {
  assert.deepEqual(permissionDescriptors("--allow-read"), [{ name: "read" }]);
  assert.deepEqual(permissionDescriptors("--allow-sys=hostname"), [
    { name: "sys", kind: "hostname" },
  ]);
  assert.deepEqual(permissionDescriptors("--allow-net=a:1,b"), [
    { name: "net", host: "a:1" },
    { name: "net", host: "b" },
  ]);
  assert.deepEqual(permissionDescriptors("--no-prompt"), []);
});

Deno.test("binary: version, run mode, permissions and the (absent) host plugins file pass", async () => {
  const r = await runDoctor([binaryProbe], context());
  assert.deepEqual(statuses(r), {
    "binary.version": "pass",
    "binary.runtime": "pass",
    "binary.permissions": "pass",
    "binary.plugins": "pass",
  });
  assert.match(check(r, "binary.version").detail, /^kaizen \d+\.\d+\.\d+ \(deno \d/);
  assert.match(check(r, "binary.runtime").detail, /^from source /);
  assert.match(
    check(r, "binary.permissions").detail,
    /^granted: read, write, env, run, net, sys=hostname$/,
  );
  assert.equal(
    check(r, "binary.plugins").detail,
    `would read ${EMPTY_CONFIG_HOME}/kaizen/plugins.yml (from XDG_CONFIG_HOME); absent: built-in sections and sinks only`,
  );
  for (const c of r.checks) assert.equal(c.fix, null);
});

Deno.test("binary: an invalid host plugins file fails with file:line:col, and prepare says why it cannot run", async () => {
  const xdg = await Deno.makeTempDir();
  const target = await pilotCopy();
  try {
    await Deno.mkdir(`${xdg}/kaizen`);
    await Deno.writeTextFile(`${xdg}/kaizen/plugins.yml`, "version: 1\nplugins:\n  - nme: x\n");
    const env: Record<string, string> = { XDG_CONFIG_HOME: xdg };
    const r = await doctor({ target, env: (k) => env[k], agent: "coach" });
    const p = check(r, "binary.plugins");
    assert.equal(p.status, "fail");
    assert.match(p.detail, new RegExp(`^${xdg}/kaizen/plugins\\.yml:3:5: `));
    assert.equal(
      p.fix,
      "fix or remove the host plugins file: prepare refuses to run while it is invalid",
    );
    const prep = check(r, "repo.prepare.coach");
    assert.equal(prep.status, "fail");
    assert.match(prep.detail, /^plugins not loaded: /);
    assert.equal(
      prep.fix,
      "fix the plugins file named above (see binary.plugins and repo.plugins)",
    );
  } finally {
    await Deno.remove(xdg, { recursive: true });
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("binary: --plugins naming a missing file fails", async () => {
  const r = await runDoctor([binaryProbe], context({ pluginsFile: "/nonexistent/plugins.yml" }));
  const p = check(r, "binary.plugins");
  assert.equal(p.status, "fail");
  assert.equal(p.detail, "plugins file /nonexistent/plugins.yml (from --plugins) does not exist");
  assert.equal(p.fix, "pass an existing file to --plugins, or leave it out");
});

// --- repo ----------------------------------------------------------------------

Deno.test("repo: no target and no .kaizen/ here is one skip", async () => {
  const r = await runDoctor([repoProbe], context());
  assert.deepEqual(r.checks, [{
    id: "repo.target",
    status: "skip",
    detail: "no --target, and the current folder has no .kaizen/: repository checks skipped",
    fix: null,
  }]);
  assert.equal(r.summary.ok, true);
});

Deno.test("repo: the pilot is healthy, and the run leaves the checkout exactly as it was", async () => {
  await withPilot(async (dir) => {
    const before = await listing(dir);
    const r = await doctor({ target: dir });
    assert.deepEqual(statuses(r), {
      "binary.version": "pass",
      "binary.runtime": "pass",
      "binary.permissions": "pass",
      "binary.plugins": "pass",
      "repo.manifest": "pass",
      "repo.agents": "pass",
      "repo.next-runs": "pass",
      "repo.writable.coach": "pass",
      "repo.writable.optimization": "pass",
      "repo.scope": "pass",
      "repo.todo": "pass",
      "repo.plugins": "pass",
      "repo.prepare.coach": "pass",
      "repo.prepare.optimization": "pass",
    });
    assert.deepEqual(r.summary, { pass: 14, warn: 0, fail: 0, skip: 0, ok: true });
    assert.equal(
      check(r, "repo.manifest").detail,
      `${dir}/.kaizen/schedule.yml valid: 3 agents (2 enabled), timezone Europe/Berlin`,
    );
    assert.equal(
      check(r, "repo.agents").detail,
      "3 agents resolvable: coach (packaged), optimization (packaged), tdd-workflow (packaged)",
    );
    assert.equal(
      check(r, "repo.next-runs").detail,
      "coach 2026-11-23T09:00:00+01:00 (2026-11-23T08:00:00Z), " +
        "optimization 2026-11-23T10:00:00+01:00 (2026-11-23T09:00:00Z); timezone Europe/Berlin",
    );
    assert.equal(
      check(r, "repo.writable.coach").detail,
      ".kaizen/agents/coach/ and .kaizen/metrics/coach/ writable by tester",
    );
    assert.equal(check(r, "repo.scope").detail, "SCOPE.md present (21 lines)");
    assert.match(check(r, "repo.todo").detail, /^TODO\.md present \(\d+ lines\)$/);
    assert.equal(
      check(r, "repo.plugins").detail,
      "no .kaizen/plugins.yml: no repository plugins to trust",
    );
    assert.match(
      check(r, "repo.prepare.coach").detail,
      /^coach: \d+\.\d KiB, [\d,]+ tokens, 0 redactions, 0 warnings$/,
    );
    for (const c of r.checks) assert.equal(c.fix, null, c.id);
    assert.deepEqual(await listing(dir), before, "doctor wrote nothing");
  });
});

Deno.test("repo: an invalid manifest fails with its first diagnostic and the validate fix", async () => {
  await withPilot(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/.kaizen/schedule.yml`,
      MANIFEST(`  coach:\n    cadence: weekly\n    cron: "0 9 * *"\n`),
    );
    const r = await doctor({ target: dir });
    const m = check(r, "repo.manifest");
    assert.equal(m.status, "fail");
    assert.match(
      m.detail,
      new RegExp(`^invalid \\(1 error\\): ${dir}/\\.kaizen/schedule\\.yml:6:11: `),
    );
    assert.equal(m.fix, `run kaizen schedule validate --target ${dir}`);
    assert.equal(check(r, "repo.agents").status, "skip");
    assert.equal(check(r, "repo.next-runs").status, "skip");
    assert.equal(
      check(r, "repo.next-runs").detail,
      "the manifest is invalid: no run is scheduled until it is fixed",
    );
    assert.equal(check(r, "repo.writable").status, "skip");
    assert.equal(check(r, "repo.prepare").status, "skip");
    assert.equal(r.summary.ok, false);
  });
});

Deno.test("repo: no manifest fails with the init fix", async () => {
  await withPilot(async (dir) => {
    const r = await doctor({ target: dir });
    const m = check(r, "repo.manifest");
    assert.equal(m.status, "fail");
    assert.equal(m.detail, `no .kaizen/schedule.yml in ${dir}`);
    assert.equal(m.fix, `create one: kaizen schedule init --target ${dir}`);
    assert.equal(check(r, "repo.agents").detail, "no manifest: no scheduled agents to resolve");
  }, [".kaizen/schedule.yml"]);
});

Deno.test("repo: a scheduled agent that is neither installed nor packaged fails repo.agents; the others are still prepared", async () => {
  await withPilot(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/.kaizen/schedule.yml`,
      MANIFEST(AGENT("coach") + AGENT("reviewer") + AGENT("coahc")),
    );
    const r = await doctor({ target: dir });
    assert.equal(check(r, "repo.manifest").status, "fail");
    assert.match(check(r, "repo.manifest").detail, /^invalid \(2 errors\): .*agent 'reviewer'/);
    const a = check(r, "repo.agents");
    assert.equal(a.status, "fail");
    assert.equal(
      a.detail,
      "2 scheduled agents neither installed nor packaged: reviewer, coahc",
    );
    assert.equal(
      a.fix,
      "add its prompt as agents/agent-reviewer.md, or remove 'reviewer' from .kaizen/schedule.yml " +
        "(kaizen agents install only installs packaged agents: coach, optimization, tdd-workflow)",
    );
    // The resolvable enabled agent is still checked; prepare warns that the manifest is invalid.
    assert.equal(check(r, "repo.writable.coach").status, "pass");
    const p = check(r, "repo.prepare.coach");
    assert.equal(p.status, "warn");
    assert.match(p.detail, /first: .*schedule\.yml is invalid/);
    assert.equal(
      p.fix,
      `run it and read its warnings: kaizen schedule prepare coach --target ${dir}`,
    );
  });
});

Deno.test("repo: a misspelt agent gets a rename fix", async () => {
  await withPilot(async (dir) => {
    await Deno.writeTextFile(`${dir}/.kaizen/schedule.yml`, MANIFEST(AGENT("coahc")));
    const r = await doctor({ target: dir });
    const a = check(r, "repo.agents");
    assert.equal(a.status, "fail");
    assert.equal(
      a.detail,
      "1 scheduled agent neither installed nor packaged: coahc (did you mean 'coach'?)",
    );
    assert.equal(
      a.fix,
      "rename 'coahc' to 'coach' in .kaizen/schedule.yml, or add its prompt as agents/agent-coahc.md",
    );
  });
});

Deno.test("repo: an installed agent resolves", async () => {
  await withPilot(async (dir) => {
    await Deno.mkdir(`${dir}/agents`);
    await Deno.writeTextFile(`${dir}/agents/agent-reviewer.md`, "# Reviewer\n\nReview.\n");
    await Deno.writeTextFile(`${dir}/.kaizen/schedule.yml`, MANIFEST(AGENT("reviewer")));
    const r = await doctor({ target: dir });
    assert.equal(check(r, "repo.agents").detail, "1 agent resolvable: reviewer (installed)");
    assert.equal(check(r, "repo.prepare.reviewer").status, "pass");
    // The folders do not exist yet: their nearest existing parent is writable.
    assert.equal(
      check(r, "repo.writable.reviewer").detail,
      ".kaizen/agents/reviewer/ and .kaizen/metrics/reviewer/ writable by tester " +
        "(.kaizen/agents/reviewer/ not created yet, .kaizen/agents/ writable; " +
        ".kaizen/metrics/reviewer/ not created yet, .kaizen/metrics/ writable)",
    );
    await assert.rejects(Deno.stat(`${dir}/.kaizen/agents/reviewer`), Deno.errors.NotFound);
  });
});

Deno.test("repo: missing SCOPE.md and TODO.md are warnings with a fix", async () => {
  await withPilot(async (dir) => {
    const r = await doctor({ target: dir });
    const s = check(r, "repo.scope");
    assert.equal(s.status, "warn");
    assert.equal(s.detail, "no SCOPE.md in the repository root: bundles go without it");
    assert.equal(s.fix, "add SCOPE.md (what sessions may and may not change)");
    const t = check(r, "repo.todo");
    assert.equal(t.status, "warn");
    assert.equal(t.detail, "no TODO.md in the repository root: bundles go without it");
    assert.equal(t.fix, "add TODO.md (open items as '- [ ] …' lines)");
    assert.equal(r.summary.ok, true, "warnings alone do not fail");
  }, ["SCOPE.md", "TODO.md"]);
});

Deno.test("repo: --agent restricts the agent checks; an unknown --agent fails", async () => {
  await withPilot(async (dir) => {
    const one = await doctor({ target: dir, agent: "coach" });
    assert.equal(check(one, "repo.agent").status, "pass");
    assert.equal(check(one, "repo.agent").detail, "checks restricted to agent 'coach' (enabled)");
    const ids = one.checks.map((c) => c.id);
    assert.ok(ids.includes("repo.prepare.coach"));
    assert.ok(!ids.includes("repo.prepare.optimization"));
    assert.ok(!ids.includes("repo.writable.optimization"));
    assert.match(check(one, "repo.next-runs").detail, /^coach 2026-11-23T09:00:00\+01:00 /);

    const bad = await doctor({ target: dir, agent: "coahc" });
    const a = check(bad, "repo.agent");
    assert.equal(a.status, "fail");
    assert.equal(
      a.detail,
      "--agent 'coahc' is neither installed nor packaged (did you mean 'coach'?)",
    );
    assert.equal(a.fix, "pass one of: coach, optimization, tdd-workflow");
    assert.equal(check(bad, "repo.writable").status, "skip");
    assert.equal(check(bad, "repo.prepare").status, "skip");
    assert.equal(bad.summary.ok, false);

    const unscheduled = await runDoctor(
      [repoProbe],
      context({ target: dir, agent: "tdd-workflow" }),
    );
    assert.equal(
      check(unscheduled, "repo.agent").detail,
      "checks restricted to agent 'tdd-workflow' (disabled)",
    );
    assert.equal(check(unscheduled, "repo.next-runs").status, "warn");
    assert.equal(
      check(unscheduled, "repo.next-runs").fix,
      "set enabled: true for the agents that should run in .kaizen/schedule.yml",
    );
  });
});

Deno.test("repo: a repository plugins file is reported ignored, or trusted with --trust-repo-plugins", async () => {
  await withPilot(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/.kaizen/plugins.yml`,
      'version: 1\nplugins:\n  - name: hello\n    command: ["/bin/true"]\n    sinks: [{ name: hello }]\n',
    );
    const r = await doctor({ target: dir, agent: "coach" });
    const p = check(r, "repo.plugins");
    assert.equal(p.status, "warn");
    assert.equal(
      p.detail,
      ".kaizen/plugins.yml declares 1 plugin (hello) is ignored: prepare runs repository plugins only with --trust-repo-plugins",
    );
    assert.match(p.fix!, /^if this host trusts the repository, add --trust-repo-plugins/);
    const trusted = await doctor({ target: dir, agent: "coach", trustRepoPlugins: true });
    assert.equal(check(trusted, "repo.plugins").status, "pass");
    assert.equal(
      check(trusted, "repo.plugins").detail,
      ".kaizen/plugins.yml declares 1 plugin (hello): trusted (--trust-repo-plugins), prepare runs them",
    );
    assert.equal(check(trusted, "repo.prepare.coach").status, "pass");
  });
});

Deno.test("repo: a state folder that leads outside the repository is not writable", async () => {
  const outside = await Deno.makeTempDir();
  await withPilot(async (dir) => {
    await Deno.remove(`${dir}/.kaizen/metrics/coach`, { recursive: true });
    await Deno.symlink(outside, `${dir}/.kaizen/metrics/coach`);
    const r = await doctor({ target: dir, agent: "coach" });
    const w = check(r, "repo.writable.coach");
    assert.equal(w.status, "fail");
    assert.equal(
      w.detail,
      "tester cannot write: .kaizen/metrics/coach/ leads outside the repository (symlink)",
    );
    assert.equal(w.fix, `let tester write there: chown -R tester ${dir}/.kaizen`);
    assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing written outside");
  });
  await Deno.remove(outside, { recursive: true });
});

Deno.test("probeWritable: creates and removes one temp file, creates no folder", async () => {
  await withPilot(async (dir) => {
    const before = await listing(dir);
    assert.deepEqual(await probeWritable(dir, ".kaizen/agents/coach"), { ok: true });
    assert.deepEqual(await probeWritable(dir, ".kaizen/agents/new/deeper"), {
      ok: true,
      via: ".kaizen/agents/",
    });
    assert.deepEqual(await listing(dir), before);
    await Deno.writeTextFile(`${dir}/.kaizen/agents/file`, "x");
    assert.deepEqual(await probeWritable(dir, ".kaizen/agents/file"), {
      ok: false,
      reason: ".kaizen/agents/file/ is not a folder",
    });
  });
});

// --- rendering and the command's helpers ------------------------------------------

Deno.test("text: marks, one detail line each, a fix line under ! and ✗, then the summary", () => {
  const report: DoctorReport = {
    checks: [
      { id: "a.one", status: "pass", detail: "fine", fix: null },
      { id: "a.two", status: "warn", detail: "hmm", fix: "look" },
      { id: "b.three", status: "fail", detail: "broken", fix: "mend it" },
      { id: "b.four", status: "skip", detail: "skipped: --offline", fix: null },
    ],
    summary: { pass: 1, warn: 1, fail: 1, skip: 1, ok: false },
  };
  assert.equal(
    renderDoctorText(report),
    [
      "✓ a.one    fine",
      "! a.two    hmm",
      "           fix: look",
      "✗ b.three  broken",
      "           fix: mend it",
      "- b.four   skipped: --offline",
      "",
      "not ready: 4 checks, 1 passed, 1 warning, 1 failed, 1 skipped",
      "",
    ].join("\n"),
  );
  assert.ok(renderDoctorText(report, true).includes("\x1b[31m✗\x1b[0m b.three"));
  // A detail quoting a hostile path never reaches the terminal raw.
  const evil = renderDoctorText({
    checks: [{ id: "a.b", status: "pass", detail: "x\u202ey", fix: null }],
    summary: { pass: 1, warn: 0, fail: 0, skip: 0, ok: true },
  });
  assert.ok(!evil.includes("\u202e"));
});

Deno.test("urlSecrets: the password, or a lone user (a NATS token), raw and decoded", () => {
  assert.deepEqual(urlSecrets("nats://user:p%40ss@host:4222"), ["p%40ss", "p@ss"]);
  assert.deepEqual(urlSecrets("nats://s3cr3ttoken@host"), ["s3cr3ttoken"]);
  assert.deepEqual(urlSecrets("https://hub.example/api"), []);
  assert.deepEqual(urlSecrets(undefined), []);
  assert.deepEqual(urlSecrets("https://hub.example/api?token=q%2Fv&domain=x&api_key=k1"), [
    "q%2Fv",
    "q/v",
    "k1",
  ]);
});

// --- the command ----------------------------------------------------------------

function kaizen(
  entry: CliEntry,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  return runCli(entry, ["doctor", ...args], opts);
}

const SCHEMA = JSON.parse(
  await Deno.readTextFile(`${REPO_ROOT}/schemas/doctor.schema.json`),
);

cliTest("doctor --offline on the pilot: every check passes or is skipped, exit 0", async (e) => {
  await withPilot(async (dir) => {
    const r = await kaizen(e, ["--target", dir, "--offline"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, "");
    const lines = r.stdout.trimEnd().split("\n");
    for (const area of ["hub", "nats", "artifact-store"]) {
      assert.ok(
        lines.some((l) => new RegExp(`^- ${area}\\.reachable +skipped: --offline$`).test(l)),
        r.stdout,
      );
    }
    assert.match(r.stdout, /^✓ repo\.prepare\.coach +coach: /m);
    assert.match(
      r.stdout,
      new RegExp(`^✓ binary\\.runtime +${e.name === "bundle" ? "bundle" : "from source"} `, "m"),
    );
    assert.match(lines.at(-1)!, /^ready: 17 checks, 14 passed, 0 warnings, 0 failed, 3 skipped$/);
  });
});

cliTest(
  "doctor --format json: the model and the generated schema accept it; exit 1 on a failure",
  async (e) => {
    await withPilot(async (dir) => {
      await Deno.writeTextFile(`${dir}/.kaizen/schedule.yml`, "version: 2\n");
      const r = await kaizen(e, ["--target", dir, "--offline", "--format", "json"]);
      assert.equal(r.code, 1, r.stderr);
      const json = JSON.parse(r.stdout);
      DoctorReportModel.parse(json);
      z.fromJSONSchema(SCHEMA).parse(json);
      assert.deepEqual(Object.keys(json), ["checks", "summary"]);
      const m = json.checks.find((c: CheckResult) => c.id === "repo.manifest");
      assert.equal(m.status, "fail");
      assert.equal(m.fix, `run kaizen schedule validate --target ${dir}`);
      assert.equal(json.summary.ok, false);
      for (const c of json.checks as CheckResult[]) {
        assert.equal(c.fix === null, c.status === "pass" || c.status === "skip", c.id);
      }
    });
  },
);

cliTest("doctor finds the repo in the current folder, and exits 2 on usage errors", async (e) => {
  await withPilot(async (dir) => {
    const here = await kaizen(e, ["--offline", "--agent", "coach"], { cwd: dir });
    assert.equal(here.code, 0, here.stdout);
    assert.match(here.stdout, /^✓ repo\.agent +checks restricted to agent 'coach' \(enabled\)$/m);
    const unknownAgent = await kaizen(e, ["--offline", "--agent", "nobody"], { cwd: dir });
    assert.equal(unknownAgent.code, 1);
    assert.match(
      unknownAgent.stdout,
      /^✗ repo\.agent +--agent 'nobody' is neither installed nor packaged$/m,
    );
    assert.match(unknownAgent.stdout, /^ +fix: pass one of: coach, optimization, tdd-workflow$/m);
  });
  const badFlag = await kaizen(e, ["--offlne"]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /unknown option '--offlne' \(did you mean '--offline'\?\)/);
  const badFormat = await kaizen(e, ["--format", "yaml"]);
  assert.equal(badFormat.code, 2);
  const missing = await kaizen(e, ["--target", "/nonexistent/repo", "--offline"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--target '\/nonexistent\/repo' does not exist/);
});

cliTest("doctor without write, run and net permissions warns with the flags to add", async (e) => {
  const r = await runCli(
    {
      name: e.name,
      argv: [
        Deno.execPath(),
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-sys=hostname",
        e.argv.at(-1)!,
      ],
    },
    ["doctor", "--offline"],
    { cwd: EMPTY_CONFIG_HOME },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^! binary\.permissions +not granted: write \(memory, metrics and --out files\); run \(external-command plugins and git \(repo slug\)\); net \(.*\)$/m,
  );
  assert.match(
    r.stdout,
    /^ +fix: run it as 'deno run --allow-read --allow-write --allow-env --allow-run --allow-net --allow-sys=hostname …'/m,
  );
});

// --- read-only .kaizen/ as an unprivileged user -------------------------------------

const NOBODY = 65534;
const canDropPrivileges = (() => {
  try {
    if (Deno.uid() !== 0) return false;
    return new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "[bundle] doctor as a user who cannot write .kaizen/: repo.writable fails with the chown fix",
  // Root writes through any mode bits, so the check needs another user:
  // setpriv (util-linux) as root. Elsewhere (not root, no setpriv) it is skipped.
  ignore: !canDropPrivileges,
  fn: async () => {
    const base = await Deno.makeTempDir({ prefix: "kaizen-doctor-nobody-" });
    const repo = `${base}/repo`;
    try {
      await Deno.chmod(base, 0o755);
      // The deno binary lives under /root (mode 700): hard-link (or copy) it out.
      const deno = `${base}/deno`;
      await Deno.link(Deno.execPath(), deno).catch(() => Deno.copyFile(Deno.execPath(), deno));
      await copyTree(BUNDLE_PATH.replace(/\/kaizen\.js$/, ""), `${base}/dist`);
      for (const d of ["home", "deno-dir", "xdg"]) {
        await Deno.mkdir(`${base}/${d}`);
        await Deno.chown(`${base}/${d}`, NOBODY, NOBODY);
      }
      await copyTree(PILOT, repo);
      // Readable by everyone, writable only by root.
      await new Deno.Command("chmod", { args: ["-R", "a+rX,go-w", base] }).output();
      const child = await new Deno.Command("setpriv", {
        args: [
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          "--clear-groups",
          deno,
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--allow-run",
          "--allow-net",
          "--allow-sys=hostname",
          `${base}/dist/kaizen.js`,
          "doctor",
          "--target",
          repo,
          "--offline",
          "--agent",
          "coach",
          "--format",
          "json",
        ],
        clearEnv: true,
        env: {
          HOME: `${base}/home`,
          DENO_DIR: `${base}/deno-dir`,
          XDG_CONFIG_HOME: `${base}/xdg`,
          USER: "nobody",
          NO_COLOR: "1",
          PATH: "/usr/bin:/bin",
        },
        cwd: `${base}/home`,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      const out = dec.decode(child.stdout);
      assert.equal(child.code, 1, out + dec.decode(child.stderr));
      const report = DoctorReportModel.parse(JSON.parse(out));
      const w = check(report, "repo.writable.coach");
      assert.equal(w.status, "fail");
      assert.match(
        w.detail,
        /^nobody cannot write: cannot create a file in \.kaizen\/agents\/coach\/: Permission denied \(os error 13\); cannot create a file in \.kaizen\/metrics\/coach\/: Permission denied \(os error 13\)$/,
      );
      assert.equal(w.fix, `let nobody write there: chown -R nobody ${repo}/.kaizen`);
      // Everything that only reads still works for that user.
      for (
        const id of [
          "repo.manifest",
          "repo.agents",
          "repo.scope",
          "repo.todo",
          "repo.prepare.coach",
        ]
      ) {
        assert.equal(check(report, id).status, "pass", id);
      }
      assert.deepEqual(
        (await listing(repo)).filter((p) => p.includes("kaizen-doctor")),
        [],
        "no temp file left",
      );
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

cliTest("doctor without the hostname permission reports it as a check, not exit 2", async (e) => {
  const r = await runCli(
    {
      name: e.name,
      argv: [
        Deno.execPath(),
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-run",
        "--allow-net",
        e.argv.at(-1)!,
      ],
    },
    ["doctor", "--offline", "--format", "json"],
    { cwd: EMPTY_CONFIG_HOME },
  );
  assert.notEqual(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /cannot tell this machine's hostname/);
  const report = JSON.parse(r.stdout);
  const perm = report.checks.find((c: { id: string }) => c.id === "binary.permissions");
  assert.equal(perm.status, "warn");
  assert.match(perm.detail, /sys=hostname|hostname/);
});
