/**
 * Project state under faults and load, through the real CLI: a full disk and
 * a read-only mount (a small tmpfs; needs root), a hundred concurrent
 * writers with both cores kept busy, a lock holder killed with SIGKILL, a
 * FIFO where a file belongs, dead temporary files, a flood on stdin.
 *
 * Each fault gives one line on stderr, exit 1 (2 for bad input), the state
 * left as it was, and no lock or temporary file behind.
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, type CliEntry, runCli } from "./_cli.ts";

const MANIFEST =
  'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: weekly\n    enabled: true\n';
const MEMORY = ".kaizen/agents/coach/memory.md";
const NOW = "2026-12-06T08:00:00Z";
/** The bundle starts fastest; the source entry is covered by the other CLI tests. */
const BUNDLE: CliEntry = CLI_ENTRIES.find((e) => e.name === "bundle")!;

const isRoot = Deno.uid() === 0;

/** Mounts a tmpfs of `size` at a fresh folder; undefined when that is not possible here. */
async function mountTmpfs(size: string): Promise<string | undefined> {
  if (!isRoot) return undefined;
  const dir = await Deno.makeTempDir({ prefix: "kaizen-tmpfs-" });
  const r = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
    stdout: "null",
    stderr: "null",
  }).output();
  if (!r.success) {
    await Deno.remove(dir);
    return undefined;
  }
  return dir;
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: ["-l", dir], stdout: "null", stderr: "null" }).output();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

async function remount(dir: string, mode: "ro" | "rw"): Promise<void> {
  const r = await new Deno.Command("mount", {
    args: ["-o", `remount,${mode}`, dir],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
}

function writeRepo(dir: string, memory?: string): void {
  Deno.mkdirSync(`${dir}/.kaizen/agents/coach`, { recursive: true });
  Deno.writeTextFileSync(`${dir}/.kaizen/schedule.yml`, MANIFEST);
  if (memory !== undefined) Deno.writeTextFileSync(`${dir}/${MEMORY}`, memory);
}

/** Every file below `dir` whose name marks a lock or a temporary file. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (e.isDirectory) walk(`${d}/${e.name}`);
      else if (/\.lock$|\.tmp-/.test(e.name)) out.push(`${d}/${e.name}`);
    }
  };
  walk(dir);
  return out;
}

function oneLine(stderr: string): void {
  assert.equal(stderr.trimEnd().split("\n").length, 1, `not one line: ${stderr}`);
  assert.doesNotMatch(stderr, /\bat \w+ \(|file:\/\//, "a stack trace");
}

Deno.test({
  name: "disk full: memory add / init / agents install exit 1 with one line and change nothing",
  ignore: !isRoot,
  fn: async () => {
    const mnt = await mountTmpfs("256k");
    if (!mnt) return console.warn("skipped: cannot mount a tmpfs here");
    try {
      const memory = "# Memory — coach\n\n## 2026-12-01\n\n- " + "x".repeat(20_000) + "\n";
      writeRepo(mnt, memory);
      // Fill the rest of the device.
      const filler = await Deno.open(`${mnt}/filler`, { write: true, create: true });
      try {
        const chunk = new Uint8Array(4096);
        for (;;) await filler.write(chunk);
      } catch { /* full */ }
      filler.close();
      for (
        const argv of [
          ["memory", "add", "coach", "a lesson", "--now", NOW],
          ["memory", "init", "coach", "--force"],
          ["agents", "install", "coach", "--force"],
        ]
      ) {
        const r = await runCli(BUNDLE, [...argv, "--target", mnt]);
        const label = argv.slice(0, 2).join(" ");
        assert.equal(r.code, 1, `${label}: ${r.stderr}`);
        assert.match(r.stderr, /no space left on the device/, label);
        oneLine(r.stderr);
      }
      assert.equal(Deno.readTextFileSync(`${mnt}/${MEMORY}`), memory);
      assert.deepEqual(leftovers(mnt), []);
      // Space back: the next writer goes straight through (no lock to wait out).
      Deno.removeSync(`${mnt}/filler`);
      const ok = await runCli(BUNDLE, ["memory", "add", "coach", "space again", "--target", mnt]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(Deno.readTextFileSync(`${mnt}/${MEMORY}`).endsWith("- space again\n"));
    } finally {
      await unmount(mnt);
    }
  },
});

Deno.test({
  name: "read-only file system: memory and agents writers exit 1 naming it",
  ignore: !isRoot,
  fn: async () => {
    const mnt = await mountTmpfs("1m");
    if (!mnt) return console.warn("skipped: cannot mount a tmpfs here");
    try {
      writeRepo(mnt, "# Memory — coach\n");
      await remount(mnt, "ro");
      for (
        const argv of [
          ["memory", "add", "coach", "a lesson"],
          ["memory", "init", "coach", "--force"],
          ["agents", "install", "coach"],
        ]
      ) {
        const r = await runCli(BUNDLE, [...argv, "--target", mnt]);
        const label = argv.slice(0, 2).join(" ");
        assert.equal(r.code, 1, `${label}: ${r.stderr}`);
        assert.match(r.stderr, /read-only/, label);
        oneLine(r.stderr);
      }
      // Reading still works.
      const show = await runCli(BUNDLE, ["memory", "show", "coach", "--target", mnt]);
      assert.equal(show.code, 0, show.stderr);
      assert.equal(show.stdout, "# Memory — coach\n");
    } finally {
      await remount(mnt, "rw").catch(() => {});
      await unmount(mnt);
    }
  },
});

/** Two CPU-bound processes, so both cores are busy while writers queue. */
function burnCores(): Deno.ChildProcess[] {
  return [0, 1].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "const end = Date.now() + 600_000; while (Date.now() < end) {}"],
      stdout: "null",
      stderr: "null",
    }).spawn()
  );
}

Deno.test("100 concurrent `memory add` with both cores busy leave 100 notes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-load-" });
  const burners = burnCores();
  try {
    writeRepo(dir);
    const n = 100;
    const runs = await Promise.all(
      Array.from(
        { length: n },
        (_, i) =>
          runCli(BUNDLE, ["memory", "add", "coach", `note ${i}`, "--target", dir, "--now", NOW]),
      ),
    );
    for (const [i, r] of runs.entries()) assert.equal(r.code, 0, `writer ${i}: ${r.stderr}`);
    const text = Deno.readTextFileSync(`${dir}/${MEMORY}`);
    for (let i = 0; i < n; i++) {
      assert.equal(text.split("\n").filter((l) => l === `- note ${i}`).length, 1, `note ${i}`);
    }
    assert.equal(text.match(/^# Memory — coach$/gm)?.length, 1, "one title");
    assert.equal(text.match(/^## 2026-12-06$/gm)?.length, 1, "one dated section");
    assert.deepEqual(leftovers(dir), []);
  } finally {
    for (const b of burners) b.kill("SIGKILL");
    await Promise.all(burners.map((b) => b.status));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a writer killed with SIGKILL while it holds the lock delays the next by under a second", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-kill-" });
  try {
    writeRepo(dir, "# Memory — coach\n");
    // How long an unhindered `memory add` takes here, now.
    const t0 = performance.now();
    const free = await runCli(BUNDLE, ["memory", "add", "coach", "free", "--target", dir]);
    const unhindered = performance.now() - t0;
    assert.equal(free.code, 0, free.stderr);

    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${
          JSON.stringify(`${dir}/.kaizen/agents/coach`)
        }, { read: true });
         await f.lock(true); console.log("held"); await new Promise((r) => setTimeout(r, 120_000));`,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = holder.stdout.getReader();
      await reader.read();
      reader.releaseLock();
      const started = performance.now();
      const waiting = runCli(BUNDLE, ["memory", "add", "coach", "after kill", "--target", dir]);
      // Give the writer its unhindered time to reach the lock, then kill the holder.
      await new Promise((r) => setTimeout(r, unhindered * 2 + 200));
      holder.kill("SIGKILL");
      const killedAt = performance.now();
      const r = await waiting;
      assert.equal(r.code, 0, r.stderr);
      const delay = performance.now() - killedAt;
      // The writer needed at most its own run time after the kill: no stale-lock wait.
      assert.ok(
        delay < Math.max(1000, unhindered - (killedAt - started)) + 1000,
        `next writer finished ${Math.round(delay)} ms after the kill (unhindered run ${
          Math.round(unhindered)
        } ms)`,
      );
      assert.ok(Deno.readTextFileSync(`${dir}/${MEMORY}`).endsWith("- after kill\n"));
    } finally {
      try {
        holder.kill("SIGKILL");
      } catch { /* dead */ }
      await holder.status;
      await holder.stdout.cancel().catch(() => {});
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a FIFO at memory.md is refused by show and add, without hanging", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-fifo-" });
  try {
    writeRepo(dir);
    const mk = await new Deno.Command("mkfifo", { args: [`${dir}/${MEMORY}`] }).output();
    assert.ok(mk.success);
    for (const argv of [["memory", "show", "coach"], ["memory", "add", "coach", "x"]]) {
      const r = await runCli(BUNDLE, [...argv, "--target", dir]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /FIFO|not a regular file/);
      oneLine(r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("memory add removes temporary files a killed writer left", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-tmp-" });
  try {
    writeRepo(dir, "# Memory — coach\n");
    // A pid that surely has no process: one that just exited.
    const gone = new Deno.Command("true").spawn();
    await gone.status;
    const dead = `${dir}/.kaizen/agents/coach/.memory.md.tmp-${gone.pid}-dead`;
    Deno.writeTextFileSync(dead, "half a file");
    const r = await runCli(BUNDLE, ["memory", "add", "coach", "clean up", "--target", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(leftovers(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a 10 MB multibyte note on stdin is refused for its size, not its encoding", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-flood-" });
  try {
    writeRepo(dir, "# Memory — coach\n");
    // The writer stops reading early: a broken pipe on our side is expected.
    const [cmd, ...rest] = BUNDLE.argv;
    const child = new Deno.Command(cmd, {
      args: [...rest, "memory", "add", "coach", "--target", dir],
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("é€😀".repeat(1_100_000))).catch(() => {});
    await writer.close().catch(() => {});
    const out = await child.output();
    const r = { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /over the 16384-byte limit/);
    assert.doesNotMatch(r.stderr, /UTF-8/);
    assert.equal(Deno.readTextFileSync(`${dir}/${MEMORY}`), "# Memory — coach\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
