/**
 * Issue 19: the roster's commands lose the hub's slug, and duplicate slugs in
 * a hub answer give two runs for one (repo, agent). Against an in-test state
 * hub on 127.0.0.1 that answers `GET /repos/` exactly as
 * spec/state-hub-roster-fields.md describes (a list of repos with `slug`,
 * `host_paths`, `domain`, `kaizen_schedule_enabled`), whose slugs differ
 * from the checkouts' folder names.
 */
import assert from "node:assert/strict";
import { discoverScheduledRuns, RosterSourceError } from "../core/roster/discover.ts";
import { fetchHubRoster, HubError } from "../core/roster/hub.ts";
import { shellQuote } from "../core/text/shell_quote.ts";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, runCli } from "./_cli.ts";

const MANIFEST = [
  'version: "1"',
  "timezone: Europe/Berlin",
  "agents:",
  "  coach:",
  "    cadence: weekly",
  '    cron: "0 9 * * 1"',
  "",
].join("\n");

/** Two checkouts; one folder name needs shell quoting. */
async function checkouts(): Promise<{ dir: string; alpha: string; beta: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-slug-" }));
  const alpha = `${dir}/alpha`;
  const beta = `${dir}/be ta's`;
  for (const root of [alpha, beta]) {
    await Deno.mkdir(`${root}/.kaizen`, { recursive: true });
    await Deno.writeTextFile(`${root}/.kaizen/schedule.yml`, MANIFEST);
  }
  return { dir, alpha, beta };
}

/** A state hub serving `repos` at `GET /repos/`, as the roster-fields spec describes. */
async function withHub(
  repos: unknown[],
  fn: (url: string, paths: string[]) => Promise<void>,
): Promise<void> {
  const paths: string[] = [];
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen: () => {},
  }, (req) => {
    const url = new URL(req.url);
    paths.push(url.pathname);
    if (req.method !== "GET" || url.pathname !== "/repos/") {
      return new Response("not found", { status: 404 });
    }
    return Response.json(repos);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, paths);
  } finally {
    ac.abort();
    await server.finished;
  }
}

function hubRepo(slug: string, path: string) {
  return {
    slug,
    domain: "custodian",
    host_paths: { "runner-1": path },
    kaizen_schedule_enabled: true,
    kaizen_schedule_updated_at: "2026-11-30T08:00:00Z",
  };
}

function discover(e: CliEntry, url: string, extra: string[] = []) {
  return runCli(e, ["roster", "discover", "--hub", url, "--host", "runner-1", ...extra], {
    env: { STATE_HUB_URL: "", STATE_HUB_TOKEN: "" },
  });
}

/** Runs a `prepare_command` through a real shell, with `kaizen` standing for this CLI entry. */
async function runPrepareCommand(e: CliEntry, command: string, extra: string) {
  const kaizen = e.argv.map(shellQuote).join(" ");
  const out = await new Deno.Command("sh", {
    args: ["-c", `kaizen() { ${kaizen} "$@"; }\n${command} ${extra}`],
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

cliTest(
  "roster slug: a run resolved from the hub carries --repo <hub slug>, and its command announces it",
  async (e) => {
    const c = await checkouts();
    try {
      await withHub(
        [hubRepo("acme-invoices", c.alpha), hubRepo("acme/billing", c.beta)],
        async (url, paths) => {
          const r = await discover(e, url);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(paths, ["/repos/"]);
          const runs = JSON.parse(r.stdout).scheduled_runs as {
            repo: string;
            root: string;
            prepare_command: string;
          }[];
          assert.deepEqual(runs.map((x) => [x.repo, x.prepare_command]), [
            [
              "acme-invoices",
              `kaizen schedule prepare coach --target ${c.alpha} --repo acme-invoices`,
            ],
            [
              "acme/billing",
              `kaizen schedule prepare coach --target '${c.dir}/be ta'"'"'s' --repo acme/billing`,
            ],
          ]);
          // Executed as handed out, each bundle is headed with the hub's slug, not the folder.
          for (const run of runs) {
            const p = await runPrepareCommand(
              e,
              run.prepare_command,
              "--format json --now 2026-12-07T08:00:00Z",
            );
            assert.equal(p.code, 0, p.stderr);
            const bundle = JSON.parse(p.stdout);
            assert.equal(bundle.repo, run.repo);
            assert.equal(bundle.root, run.root);
            // The same canonical order as prepare's own command: the roster's, then --format.
            assert.equal(bundle.prepare_command, `${run.prepare_command} --format json`);
            // Re-run as the bundle records it (same --now): the same bytes.
            const again = await runPrepareCommand(
              e,
              bundle.prepare_command,
              "--now 2026-12-07T08:00:00Z",
            );
            assert.equal(again.code, 0, again.stderr);
            assert.equal(again.stdout, p.stdout);
          }
        },
      );
    } finally {
      await Deno.remove(c.dir, { recursive: true });
    }
  },
);

cliTest(
  "roster slug: a duplicate slug in a hub answer is refused, as a roster file refuses it",
  async (e) => {
    const c = await checkouts();
    try {
      await withHub(
        [
          hubRepo("acme-invoices", c.alpha),
          hubRepo("acme/billing", c.beta),
          hubRepo("acme-invoices", c.beta),
        ],
        async (url) => {
          const r = await discover(e, url);
          assert.equal(r.code, 1, r.stderr);
          assert.equal(r.stdout, "");
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.match(
            r.stderr,
            /duplicate slug 'acme-invoices' \(repo #3; first listed as repo #1\); each repo is listed once/,
          );
          // The same duplicate in a roster file: refused too, in the file's own words.
          const roster = `${c.dir}/roster.yml`;
          await Deno.writeTextFile(
            roster,
            `version: "1"\nrepos:\n  - slug: acme-invoices\n    path: ${c.alpha}\n  - slug: acme-invoices\n    path: ${c.beta}\n`,
          );
          const f = await runCli(e, ["roster", "discover", "--roster", roster, "--host", "h"]);
          assert.equal(f.code, 1, f.stderr);
          assert.equal(f.stdout, "");
          assert.match(f.stderr, /duplicate slug 'acme-invoices' \(first listed at line 3\)/);
        },
      );
    } finally {
      await Deno.remove(c.dir, { recursive: true });
    }
  },
);

Deno.test("roster slug: duplicates and malformed slugs from the hub and from a caller's list", async () => {
  const c = await checkouts();
  try {
    await withHub(
      [hubRepo("a", c.alpha), hubRepo("b", c.beta), hubRepo("a", c.beta), hubRepo("b", c.alpha)],
      async (url) => {
        await assert.rejects(
          fetchHubRoster({ url }),
          (err: Error) =>
            err instanceof HubError &&
            /duplicate slug 'a' \(repo #3; first listed as repo #1\); each repo is listed once \(and 1 more\)$/
              .test(err.message),
        );
        await assert.rejects(
          discoverScheduledRuns({ source: { kind: "hub", url }, host: "runner-1" }),
          RosterSourceError,
        );
      },
    );
    // A slug goes into a shell command and an option value: the roster file's rule applies.
    for (const slug of ["--trust-repo-plugins", "acme invoices", "org/../etc", "a\nb"]) {
      await withHub([hubRepo(slug, c.alpha)], async (url) => {
        await assert.rejects(
          fetchHubRoster({ url }),
          (err: Error) =>
            err instanceof HubError && /repo #1 slug /.test(err.message) &&
            !err.message.includes("\n"),
        );
      });
    }
    await assert.rejects(
      discoverScheduledRuns({
        source: {
          kind: "entries",
          entries: [
            { slug: "x", domain: null, host_paths: { "*": c.alpha } },
            { slug: "x", domain: null, host_paths: { "*": c.beta } },
          ],
        },
        host: "runner-1",
      }),
      (err: Error) =>
        err instanceof RosterSourceError && /duplicate slug 'x' \(repo #2/.test(err.message),
    );
  } finally {
    await Deno.remove(c.dir, { recursive: true });
  }
});

cliTest("roster slug: a scanned checkout's command names its slug too", async (e) => {
  const c = await checkouts();
  try {
    await Deno.mkdir(`${c.alpha}/.git`);
    await Deno.writeTextFile(
      `${c.alpha}/.git/config`,
      '[remote "origin"]\n\turl = git@example.com:acme/invoice-service.git\n',
    );
    const r = await runCli(e, ["roster", "discover", "--scan", c.dir, "--host", "h"]);
    assert.equal(r.code, 0, r.stderr);
    const runs = JSON.parse(r.stdout).scheduled_runs as { repo: string; prepare_command: string }[];
    assert.deepEqual(runs.map((x) => x.prepare_command), [
      `kaizen schedule prepare coach --target ${c.alpha} --repo invoice-service`,
    ]);
  } finally {
    await Deno.remove(c.dir, { recursive: true });
  }
});
