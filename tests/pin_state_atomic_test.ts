/**
 * Pins that the state files a session writes are replaced, never written in
 * place (issue 16): `summary.json` (`kaizen metrics record`, `metrics
 * rebuild`) and `memory.md` (`kaizen memory add`). Black-box through the
 * CLI, source and bundle: a hard link made to the file before the command
 * still holds the old bytes afterwards (a write in place would change them,
 * since both names are one inode), the path holds the new bytes, and the
 * folder holds no temporary file once the command is done.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type CliEntry, cliTest, REPO_ROOT, runCli } from "./_cli.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";
const METRICS = ".kaizen/metrics/coach";
const MEMORY = ".kaizen/agents/coach/memory.md";

async function withPilot(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-pin-atomic-" }));
  try {
    const cp = await new Deno.Command("cp", { args: ["-R", `${PILOT}/.`, dir] }).output();
    assert.ok(cp.success, new TextDecoder().decode(cp.stderr));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(folder: string): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const e of Deno.readDir(folder)) out.add(e.name);
  return out;
}

/**
 * Links `path` from outside its folder, runs `command`, and checks the
 * replacement: the link keeps the old bytes (and is now another inode than
 * the path), the path changed, and the folder gained only `expected` names
 * (or a lock file, whose naming is the writer's business).
 */
async function expectReplaced(
  dir: string,
  rel: string,
  expected: string[],
  command: () => Promise<void>,
): Promise<{ before: string; after: string }> {
  const path = `${dir}/${rel}`;
  const folder = path.slice(0, path.lastIndexOf("/"));
  const link = `${dir}/old-${rel.replaceAll("/", "_")}`;
  await Deno.link(path, link);
  const before = await Deno.readTextFile(path);
  const namesBefore = await names(folder);

  await command();

  const after = await Deno.readTextFile(path);
  assert.notEqual(after, before, `${rel} did not change`);
  assert.equal(await Deno.readTextFile(link), before, `${rel} was written in place`);
  const [p, l] = await Promise.all([Deno.stat(path), Deno.stat(link)]);
  assert.notEqual(p.ino, l.ino, `${rel} is still the linked inode`);
  assert.equal(l.nlink, 1, `the old ${rel} is still linked somewhere`);

  const allowed = new Set([...namesBefore, ...expected]);
  const stray = [...await names(folder)].filter((n) => !allowed.has(n) && !/lock/i.test(n));
  assert.deepEqual(stray, [], `left behind next to ${rel}`);
  await Deno.remove(link);
  return { before, after };
}

function record(e: CliEntry, dir: string, at = NOW) {
  return runCli(e, [
    "metrics",
    "record",
    "coach",
    "--target",
    dir,
    "--success",
    "--time",
    "60",
    "--quality",
    "0.5",
    "--now",
    at,
  ]);
}

const METRICS_FILES = ["executions.jsonl", "summary.json", "summary.state.json"];

cliTest("pin: metrics record replaces summary.json (temp file + rename)", async (e) => {
  await withPilot(async (dir) => {
    // The first record (no running state yet) and an incremental one.
    for (const at of [NOW, "2026-11-23T09:00:00Z"]) {
      const { before, after } = await expectReplaced(
        dir,
        `${METRICS}/summary.json`,
        METRICS_FILES,
        async () => {
          const r = await record(e, dir, at);
          assert.equal(r.code, 0, r.stderr);
        },
      );
      assert.equal(JSON.parse(after).runs, JSON.parse(before).runs + 1);
      assert.equal(JSON.parse(after).last_run_at, at);
    }
  });
});

cliTest("pin: metrics rebuild replaces summary.json (temp file + rename)", async (e) => {
  await withPilot(async (dir) => {
    // A run appended by hand, so the rebuilt summary differs from the old one.
    const run = {
      agent: "coach",
      recorded_at: "2026-11-22T10:00:00Z",
      success: true,
      time_seconds: 90,
      quality: 1,
    };
    await Deno.writeTextFile(`${dir}/${METRICS}/executions.jsonl`, JSON.stringify(run) + "\n", {
      append: true,
    });
    const { before, after } = await expectReplaced(
      dir,
      `${METRICS}/summary.json`,
      METRICS_FILES,
      async () => {
        const r = await runCli(e, ["metrics", "rebuild", "coach", "--target", dir, "--now", NOW]);
        assert.equal(r.code, 0, r.stderr);
      },
    );
    assert.equal(JSON.parse(before).runs, 4);
    assert.equal(JSON.parse(after).runs, 5);
  });
});

cliTest("pin: memory add replaces memory.md (temp file + rename)", async (e) => {
  await withPilot(async (dir) => {
    for (const note of ["first pinned note", "second pinned note"]) {
      const { before, after } = await expectReplaced(dir, MEMORY, ["memory.md"], async () => {
        const r = await runCli(e, ["memory", "add", "coach", note, "--target", dir, "--now", NOW]);
        assert.equal(r.code, 0, r.stderr);
      });
      assert.ok(after.startsWith(before.trimEnd()), "the old notes were not kept");
      assert.ok(after.includes(note));
    }
  });
});
