import assert from "node:assert/strict";
import { createSafeReader } from "../core/fs/safe_read.ts";
import { loadPluginConfigs } from "../core/plugin/config.ts";
import { externalPlugin, ExternalPluginError } from "../core/plugin/external.ts";
import type { SectionContext } from "../core/plugin/types.ts";

const EXAMPLE = decodeURIComponent(
  new URL("../examples/plugins/recent-commits/", import.meta.url).pathname,
);
const SCRIPT = `${EXAMPLE}recent-commits.ts`;

/** The example, run with this Deno and the permissions its shebang asks for. */
const plugin = externalPlugin({
  name: "recent-commits",
  command: [Deno.execPath(), "run", "--no-config", "--allow-read", "--allow-run=git", SCRIPT],
  timeout_ms: 30_000,
  sections: [{ id: "recent-commits", title: "Recent commits", order: 350, priority: 15 }],
}, `${EXAMPLE}plugins.yml`);

async function git(cwd: string, args: string[], date?: string): Promise<void> {
  const env: Record<string, string> = date
    ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
    : {};
  const out = await new Deno.Command("git", {
    args: ["-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args],
    cwd,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** A repo with commit A on Jan 10 and commit B on Jan 20, 2026. */
async function twoCommitRepo(): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  await git(dir, ["init", "-q"]);
  await Deno.writeTextFile(`${dir}/a.txt`, "a\n");
  await git(dir, ["add", "a.txt"]);
  await git(dir, ["commit", "-q", "-m", "Add the invoice model"], "2026-01-10T10:00:00Z");
  await Deno.writeTextFile(`${dir}/b.txt`, "b\n");
  await git(dir, ["add", "b.txt"]);
  await git(dir, ["commit", "-q", "-m", "Fix rounding in totals"], "2026-01-20T10:00:00Z");
  return dir;
}

async function context(root: string, now: string): Promise<SectionContext> {
  return {
    agent: "coach",
    root,
    repo: "acme/widgets",
    now: new Date(now),
    program: "kaizen",
    files: await createSafeReader(root),
    warn: () => {},
  };
}

Deno.test("recent-commits: without a recorded run, lists the last 14 days", async () => {
  const root = await twoCommitRepo();
  try {
    const out = await plugin.sections![0].collect(await context(root, "2026-01-21T00:00:00Z"));
    assert.ok(out);
    const lines = out.content.split("\n").filter((l) => l.startsWith("- "));
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^- `[0-9a-f]{7,}` 2026-01-20 Fix rounding in totals$/);
    assert.match(lines[1], /^- `[0-9a-f]{7,}` 2026-01-10 Add the invoice model$/);
    assert.match(out.content, /^2 commits in the last 14 days \(no recorded run for coach\):/);
    const data = out.data as { since: string; total: number };
    assert.equal(data.since, "2026-01-07T00:00:00Z");
    assert.equal(data.total, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recent-commits: with a recorded run, lists only commits since then", async () => {
  const root = await twoCommitRepo();
  try {
    await Deno.mkdir(`${root}/.kaizen/metrics/coach`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/.kaizen/metrics/coach/summary.json`,
      JSON.stringify({ agent: "coach", runs: 1, last_run_at: "2026-01-15T09:00:00Z" }),
    );
    const out = await plugin.sections![0].collect(await context(root, "2026-01-21T00:00:00Z"));
    assert.ok(out);
    assert.match(
      out.content,
      /^1 commit since coach's last recorded run \(2026-01-15T09:00:00Z\):\n\n- `[0-9a-f]+` 2026-01-20 Fix rounding in totals\n$/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recent-commits: a folder that is not a git repository gets an error response", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await assert.rejects(
      async () => await plugin.sections![0].collect(await context(root, "2026-01-21T00:00:00Z")),
      (err: unknown) => {
        assert.ok(err instanceof ExternalPluginError);
        assert.match(err.detail, new RegExp(`^${root} is not a git repository`));
        return true;
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recent-commits: the example plugins.yml loads and points at the executable script", async () => {
  const { plugins } = await loadPluginConfigs({
    root: EXAMPLE,
    pluginsFile: `${EXAMPLE}plugins.yml`,
    trustRepoPlugins: false,
    env: () => undefined,
  });
  assert.equal(plugins.length, 1);
  assert.deepEqual(plugins[0].origin, {
    kind: "external",
    file: `${EXAMPLE}plugins.yml`,
    command: [SCRIPT],
  });
  assert.ok(((await Deno.stat(SCRIPT)).mode ?? 0) & 0o111, "the script is executable");
});
