/**
 * The safe writer and the kernel-held lock (core/fs/safe_write.ts, lock.ts):
 * containment, atomic replacement, appends cut back on failure, dead temp
 * files, a lock released the moment its holder is killed.
 */
import assert from "node:assert/strict";
import { createSafeWriter } from "../core/fs/safe_write.ts";
import { statFingerprint, withFileLock } from "../core/fs/lock.ts";
import { classifyIoError } from "../core/fs/io_error.ts";

async function tempRepo(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "kaizen-write-" });
}

Deno.test("safe writer: creates folders one level at a time and writes atomically", async () => {
  const root = await tempRepo();
  try {
    const w = await createSafeWriter(root);
    const r = await w.writeAtomic(".kaizen/agents/coach/memory.md", "hello\n");
    assert.equal(r.status, "ok");
    assert.equal(await Deno.readTextFile(`${root}/.kaizen/agents/coach/memory.md`), "hello\n");
    // A hard link to the old file keeps the old content: the path was
    // replaced by a rename, not written in place.
    await Deno.link(`${root}/.kaizen/agents/coach/memory.md`, `${root}/old-link`);
    assert.equal((await w.writeAtomic(".kaizen/agents/coach/memory.md", "new\n")).status, "ok");
    assert.equal(await Deno.readTextFile(`${root}/old-link`), "hello\n");
    assert.equal(await Deno.readTextFile(`${root}/.kaizen/agents/coach/memory.md`), "new\n");
    const left = [...Deno.readDirSync(`${root}/.kaizen/agents/coach`)].map((e) => e.name);
    assert.deepEqual(left, ["memory.md"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("safe writer: createNew answers exists instead of replacing", async () => {
  const root = await tempRepo();
  try {
    const w = await createSafeWriter(root);
    assert.equal((await w.writeAtomic("a.txt", "1", { createNew: true })).status, "ok");
    assert.equal((await w.writeAtomic("a.txt", "2", { createNew: true })).status, "exists");
    assert.equal(await Deno.readTextFile(`${root}/a.txt`), "1");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("safe writer: symlinks leading outside are refused, nothing is written there", async () => {
  const root = await tempRepo();
  const outside = await tempRepo();
  try {
    await Deno.symlink(outside, `${root}/.kaizen`);
    const w = await createSafeWriter(root);
    const r = await w.writeAtomic(".kaizen/metrics/coach/summary.json", "{}");
    assert.equal(r.status, "refused");
    assert.equal(r.status === "refused" && r.code, "outside");
    const a = await w.append(".kaizen/x.jsonl", "{}\n");
    assert.equal(a.status, "refused");
    assert.deepEqual([...Deno.readDirSync(outside)], []);
    // A file symlinked out is refused too, a dangling one as well.
    await Deno.remove(`${root}/.kaizen`);
    await Deno.mkdir(`${root}/.kaizen`);
    await Deno.writeTextFile(`${outside}/secret`, "s");
    await Deno.symlink(`${outside}/secret`, `${root}/.kaizen/f`);
    await Deno.symlink(`${outside}/nope`, `${root}/.kaizen/g`);
    assert.equal((await w.writeAtomic(".kaizen/f", "x")).status, "refused");
    assert.equal((await w.append(".kaizen/g", "x")).status, "refused");
    assert.equal(await Deno.readTextFile(`${outside}/secret`), "s");
    assert.equal((await w.writeAtomic("../escape", "x")).status, "refused");
    assert.equal((await w.writeAtomic("/etc/passwd", "x")).status, "refused");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("safe writer: a FIFO or a folder where a file belongs is refused", async () => {
  const root = await tempRepo();
  try {
    const w = await createSafeWriter(root);
    await new Deno.Command("mkfifo", { args: [`${root}/pipe`] }).output();
    const r = await w.append("pipe", "x\n");
    assert.equal(r.status, "refused");
    assert.equal(r.status === "refused" && r.code, "not-regular");
    await Deno.mkdir(`${root}/dir`);
    assert.equal((await w.writeAtomic("dir", "x")).status, "refused");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("safe writer: cleanTemps removes dead temporary files of that file only", async () => {
  const root = await tempRepo();
  try {
    const w = await createSafeWriter(root);
    await w.writeAtomic("m/summary.json", "{}");
    const gone = new Deno.Command("true").spawn();
    await gone.status;
    await Deno.writeTextFile(`${root}/m/.summary.json.tmp-${gone.pid}-abc`, "torn");
    await Deno.writeTextFile(`${root}/m/.other.json.tmp-${gone.pid}-abc`, "keep");
    assert.equal(await w.cleanTemps("m/summary.json"), 1);
    const names = [...Deno.readDirSync(`${root}/m`)].map((e) => e.name).sort();
    assert.deepEqual(names, [`.other.json.tmp-${gone.pid}-abc`, "summary.json"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("io errors: no space and read-only are named", () => {
  const enospc = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  assert.equal(classifyIoError(enospc).code, "no-space");
  const erofs = Object.assign(new Error("Read-only file system (os error 30)"), { code: "EROFS" });
  assert.equal(classifyIoError(erofs).code, "read-only");
  assert.equal(classifyIoError(new Deno.errors.NotFound("x")).code, "missing");
  assert.equal(classifyIoError(new Deno.errors.PermissionDenied("x")).code, "permission");
});

/** A child that takes the lock, says so on stdout, and sleeps. */
function lockHolder(lockPath: string): Deno.ChildProcess {
  const code = `
    const f = await Deno.open(${
    JSON.stringify(lockPath)
  }, { read: true, write: true, create: true });
    await f.lock(true);
    console.log("held");
    await new Promise((r) => setTimeout(r, 120_000));
  `;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

async function firstLine(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.trim();
}

Deno.test("lock: a holder killed with SIGKILL lets the next writer in at once", async () => {
  const root = await tempRepo();
  const lockPath = `${root}/log.lock`;
  const holder = lockHolder(lockPath);
  try {
    assert.equal(await firstLine(holder), "held");
    let ran = false;
    const waiting = withFileLock(lockPath, () => {
      ran = true;
      return Promise.resolve("done");
    });
    // Still queued while the holder lives.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ran, false);
    const killedAt = performance.now();
    holder.kill("SIGKILL");
    const out = await waiting;
    const waited = performance.now() - killedAt;
    assert.deepEqual(out, { status: "ok", value: "done" });
    // The one bound the issue asks for: far below any stale-lock timer.
    assert.ok(waited < 1000, `waited ${Math.round(waited)} ms after the kill`);
    // The lock file stays (deleting it would split the queue).
    assert.ok(Deno.statSync(lockPath).isFile);
  } finally {
    try {
      holder.kill("SIGKILL");
    } catch { /* already dead */ }
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lock: a holder that makes no progress is reported, naming the lock", async () => {
  const root = await tempRepo();
  const lockPath = `${root}/log.lock`;
  const holder = lockHolder(lockPath);
  try {
    assert.equal(await firstLine(holder), "held");
    const out = await withFileLock(lockPath, () => Promise.resolve(1), {
      stallMs: 300,
      label: ".kaizen/metrics/coach/executions.jsonl.lock",
      progress: statFingerprint(`${root}/log`),
    });
    assert.equal(out.status, "refused");
    assert.equal(out.status === "refused" && out.code, "busy");
    assert.match(
      out.status === "refused" ? out.reason : "",
      /executions\.jsonl\.lock is held by a process that made no progress/,
    );
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lock: progress by other writers keeps a waiter queued past the stall limit", async () => {
  const root = await tempRepo();
  const lockPath = `${root}/log.lock`;
  const holder = lockHolder(lockPath);
  const log = `${root}/log`;
  let ticker: ReturnType<typeof setInterval> | undefined;
  try {
    assert.equal(await firstLine(holder), "held");
    let n = 0;
    ticker = setInterval(() => Deno.writeTextFileSync(log, `${n++}\n`, { append: true }), 100);
    const waiting = withFileLock(lockPath, () => Promise.resolve("in"), {
      stallMs: 400,
      progress: statFingerprint(log),
    });
    await new Promise((r) => setTimeout(r, 1500));
    holder.kill("SIGKILL");
    assert.deepEqual(await waiting, { status: "ok", value: "in" });
  } finally {
    clearInterval(ticker);
    try {
      holder.kill("SIGKILL");
    } catch { /* dead */ }
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("safe writer: withLock locks the file's folder and leaves no lock file", async () => {
  const root = await tempRepo();
  try {
    const w = await createSafeWriter(root);
    const out = await w.withLock(".kaizen/metrics/coach/executions.jsonl", async () => {
      // Held: another open description of the folder cannot take it.
      const probe = await Deno.open(`${root}/.kaizen/metrics/coach`, { read: true });
      try {
        return await probe.tryLock(true);
      } finally {
        probe.close();
      }
    });
    assert.deepEqual(out, { status: "ok", value: false });
    assert.deepEqual([...Deno.readDirSync(`${root}/.kaizen/metrics/coach`)], []);
    const probe = await Deno.open(`${root}/.kaizen/metrics/coach`, { read: true });
    assert.equal(await probe.tryLock(true), true, "released after the callback");
    probe.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "safe writer: an append that runs out of space is cut back, no torn line stays",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const mnt = await Deno.makeTempDir({ prefix: "kaizen-tmpfs-" });
    const mounted = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt],
      stderr: "null",
    }).output();
    if (!mounted.success) {
      await Deno.remove(mnt);
      return console.warn("skipped: cannot mount a tmpfs here");
    }
    try {
      const w = await createSafeWriter(mnt);
      const line = '{"agent":"coach","ok":true}\n';
      assert.equal((await w.append("log.jsonl", line)).status, "ok");
      // Leave a little room only: the next append fits in part.
      const filler = await Deno.open(`${mnt}/filler`, { write: true, create: true });
      try {
        for (;;) await filler.write(new Uint8Array(4096));
      } catch { /* full */ }
      filler.close();
      Deno.truncateSync(`${mnt}/filler`, Deno.statSync(`${mnt}/filler`).size - 2048);
      const r = await w.append("log.jsonl", "x".repeat(20_000) + "\n");
      assert.equal(r.status, "refused");
      assert.equal(r.status === "refused" && r.code, "no-space");
      assert.equal(Deno.readTextFileSync(`${mnt}/log.jsonl`), line);
    } finally {
      await new Deno.Command("umount", { args: ["-l", mnt] }).output();
      await Deno.remove(mnt, { recursive: true }).catch(() => {});
    }
  },
});
