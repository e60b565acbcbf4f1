/**
 * The team recipe, end to end: a team repository outside this checkout
 * depends on kaizen as a package (`jsr:@kaizen/kaizen@^<version>`, resolved
 * from this checkout through `links`), adds a section and a sink plugin,
 * tests its section with `@kaizen/kaizen/testing`, and prepares bundles
 * through its own entry. The team's files are the ones under
 * `examples/team/` and `examples/plugins/webhook/`, copied as they are, so
 * docs/plugins.md quotes tested files.
 *
 * Offline: the team's lockfile starts as a copy of kaizen's, so npm packages
 * resolve to the versions kaizen's own tasks already cached, and every Deno
 * call runs with `--cached-only`. The child processes share this process's
 * DENO_DIR (inherited).
 */
import assert from "node:assert/strict";
import { EMPTY_CONFIG_HOME, REPO_ROOT } from "./_cli.ts";
import { VERSION } from "../core/version.ts";
import { SchedulePreparedModel } from "../core/events/model.ts";

const EXAMPLES = `${REPO_ROOT}/examples`;

/** The team repository's files: where each comes from in this checkout. */
const TEAM_FILES: Record<string, string> = {
  "deno.json": `${EXAMPLES}/team/deno.json`,
  "kaizen.ts": `${EXAMPLES}/team/kaizen.ts`,
  "conventions.ts": `${EXAMPLES}/team/conventions.ts`,
  "conventions_test.ts": `${EXAMPLES}/team/conventions_test.ts`,
  "plugins/webhook/webhook.ts": `${EXAMPLES}/plugins/webhook/webhook.ts`,
};

const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-net",
  "--allow-sys=hostname",
];

async function makeTeamRepo(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-team-" });
  assert.ok(!dir.startsWith(`${REPO_ROOT}/`), "the team repo must be outside the checkout");
  for (const [rel, from] of Object.entries(TEAM_FILES)) {
    const to = `${dir}/${rel}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    let text = await Deno.readTextFile(from);
    if (rel === "deno.json") {
      const config = JSON.parse(text);
      // Point the link at this checkout, wherever it is.
      assert.deepEqual(config.links, ["../.."]);
      config.links = [REPO_ROOT];
      text = JSON.stringify(config, null, 2) + "\n";
    }
    await Deno.writeTextFile(to, text);
  }
  await Deno.copyFile(`${REPO_ROOT}/deno.lock`, `${dir}/deno.lock`);
  return dir;
}

async function deno(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function makeTarget(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-team-target-" });
  await Deno.mkdir(`${dir}/docs`);
  await Deno.writeTextFile(`${dir}/docs/CONVENTIONS.md`, "- Tabs, not spaces.\n");
  // A scheduled coach run: the event the webhook posts exists only for those.
  await Deno.mkdir(`${dir}/.kaizen`);
  await Deno.writeTextFile(
    `${dir}/.kaizen/schedule.yml`,
    'version: "1"\nagents:\n  coach:\n    cadence: weekly\n',
  );
  return dir;
}

Deno.test("team recipe: the example depends on this release (jsr:@kaizen/kaizen@^VERSION)", async () => {
  const team = JSON.parse(await Deno.readTextFile(`${EXAMPLES}/team/deno.json`));
  const kaizen = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  assert.equal(team.imports["@kaizen/kaizen"], `jsr:${kaizen.name}@^${VERSION}`);
  assert.equal(kaizen.version, VERSION);
  assert.deepEqual(Object.keys(kaizen.exports), [".", "./plugin", "./testing"]);
});

Deno.test({
  name: "team recipe: the team's own plugin test passes, and its entry prepares with its section",
  sanitizeResources: false,
  async fn() {
    const team = await makeTeamRepo();
    const target = await makeTarget();
    try {
      const tested = await deno(team, ["test", "--cached-only", ...PERMISSIONS]);
      assert.equal(tested.code, 0, tested.stdout + tested.stderr);
      assert.match(tested.stdout, /ok \| 2 passed \| 0 failed/);

      // `deno task kaizen`, as docs/plugins.md shows it.
      const prepared = await deno(team, [
        "task",
        "kaizen",
        "schedule",
        "prepare",
        "coach",
        "--target",
        target,
        "--now",
        "2026-01-05T09:00:00Z",
      ]);
      assert.equal(prepared.code, 0, prepared.stderr);
      assert.match(
        prepared.stdout,
        /\n## Acme conventions\n\n_Source: `docs\/CONVENTIONS\.md`_\n\n- Tabs, not spaces\.\n/,
      );
      // Between the built-in pointers (400) and session-close (900).
      const headings = prepared.stdout.match(/^## .*$/gm) ?? [];
      assert.deepEqual(headings.slice(-3), [
        "## Repository pointers",
        "## Acme conventions",
        "## Before you finish",
      ]);

      const listed = await deno(team, ["task", "kaizen", "plugins", "list", "--target", target]);
      assert.equal(listed.code, 0, listed.stderr);
      // docs/plugins.md shows this very output.
      const doc = await Deno.readTextFile(`${REPO_ROOT}/docs/plugins.md`);
      const shown = /<!-- output: team kaizen\.ts plugins list -->\n\n?```text\n([\s\S]*?)```\n/
        .exec(doc);
      assert.ok(shown, "docs/plugins.md lost its plugins list sample");
      assert.equal(listed.stdout, shown[1]);
      assert.match(
        listed.stdout,
        /^acme-conventions +1\.0\.0 +embedded +acme-conventions \(450\)/m,
      );
      assert.match(listed.stdout, /^webhook +1\.0\.0 +embedded +- +webhook$/m);
    } finally {
      await Deno.remove(team, { recursive: true });
      await Deno.remove(target, { recursive: true });
    }
  },
});

Deno.test({
  name: "team recipe: --sink webhook POSTs the event to the team's hook, with no change to kaizen",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const team = await makeTeamRepo();
    const target = await makeTarget();
    const received: Array<{ method: string; path: string; headers: Headers; body: string }> = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      received.push({
        method: req.method,
        path: new URL(req.url).pathname,
        headers: req.headers,
        body: await req.text(),
      });
      return new Response(null, { status: 204 });
    });
    try {
      const url = `http://127.0.0.1:${server.addr.port}/hooks/kaizen`;
      const run = await deno(team, [
        "task",
        "kaizen",
        "schedule",
        "prepare",
        "coach",
        "--target",
        target,
        "--repo",
        "acme/widgets",
        "--now",
        "2026-01-05T09:00:00Z",
        "--sink",
        "webhook",
        "--webhook-url",
        url,
      ], { KAIZEN_WEBHOOK_TOKEN: "team-hook-token" });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "", "the webhook sink alone writes nothing on stdout");
      // The option the sink declared is part of prepare's help.
      const help = await deno(team, ["task", "kaizen", "schedule", "prepare", "--help"]);
      assert.match(help.stdout, /--webhook-url <URL> +Where --sink webhook POSTs the event/);
      assert.match(run.stderr, /sink 'webhook': posted to http:\/\/127\.0\.0\.1:\d+ \(204\)/);
      assert.ok(!run.stderr.includes("team-hook-token"));

      assert.equal(received.length, 1);
      const [req] = received;
      assert.equal(req.method, "POST");
      assert.equal(req.path, "/hooks/kaizen");
      assert.equal(req.headers.get("content-type"), "application/json");
      assert.equal(req.headers.get("authorization"), "Bearer team-hook-token");
      assert.match(req.headers.get("idempotency-key") ?? "", /^[0-9a-f]{40}$/);
      const event = SchedulePreparedModel.parse(JSON.parse(req.body));
      assert.equal(event.event, "kaizen.schedule.prepared");
      assert.equal(event.repo, "acme/widgets");
      assert.equal(event.agent, "coach");
      assert.equal(event.occurred_at, "2026-01-05T09:00:00Z");
      assert.ok(!req.body.includes("Tabs, not spaces"), "the event never carries bundle content");

      // The sink's readiness check runs in the team binary's doctor: a HEAD,
      // delivering nothing, with the token; the token is never shown.
      const doctor = await deno(team, [
        "task",
        "kaizen",
        "doctor",
        "--target",
        target,
        "--webhook-url",
        url,
        "--format",
        "json",
      ], { KAIZEN_WEBHOOK_TOKEN: "team-hook-token" });
      assert.ok(!doctor.stdout.includes("team-hook-token"));
      const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string }>;
      assert.deepEqual(
        checks.filter((c) => c.id.startsWith("webhook.")).map((c) => `${c.id} ${c.status}`),
        ["webhook.reachable pass"],
      );
      assert.equal(received.length, 2);
      assert.equal(received[1].method, "HEAD");
      assert.equal(received[1].headers.get("authorization"), "Bearer team-hook-token");
    } finally {
      await server.shutdown();
      await Deno.remove(team, { recursive: true });
      await Deno.remove(target, { recursive: true });
    }
  },
});

// `deno compile` needs a `denort` (downloaded on first use, so not offline):
// this runs where DENORT_BIN points at one of the same Deno version.
Deno.test({
  name: "team recipe: deno task compile builds the team binary, which lists the team's plugins",
  ignore: !Deno.env.get("DENORT_BIN"),
  sanitizeResources: false,
  async fn() {
    const team = await makeTeamRepo();
    try {
      const built = await deno(team, ["task", "compile"]);
      assert.equal(built.code, 0, built.stderr);
      const out = await new Deno.Command(`${team}/dist/acme-kaizen`, {
        args: ["plugins", "list", "--target", team],
        env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(stdout, /^acme-conventions +1\.0\.0 +embedded/m);
      assert.match(stdout, /^webhook +1\.0\.0 +embedded/m);
    } finally {
      await Deno.remove(team, { recursive: true });
    }
  },
});
