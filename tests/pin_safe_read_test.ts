/**
 * Pins for the safe reader's race handling (issue 16), through its public
 * door, `createSafeReader(...).readText`:
 *
 * - the file opened must be the file checked: a swap between the check and
 *   the open (to a symlink that points outside, or to another file) is
 *   refused, never read;
 * - the open races the deadline: a FIFO swapped in after the check makes
 *   `open(2)` block, and `readText` still returns `refused` when the
 *   deadline passes.
 *
 * The swap is made deterministic by wrapping `Deno.open` / `Deno.openSync`
 * for the duration of one test: the wrapper swaps the file just before the
 * real open runs, i.e. after every check the reader made. A race loop with
 * a separate swapping process backs this up without any wrapper.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createSafeReader, type SafeReadResult } from "../core/fs/safe_read.ts";
import { createDeadline } from "../core/fs/deadline.ts";

const INSIDE = "inside: the file the reader checked\n";
const OTHER = "another inside file, swapped in\n";
const SECRET = "outside: SECRET-never-to-be-read\n";

interface Fixture {
  base: string;
  repo: string;
  secret: string;
}

async function withFixture(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-pin-race-" }));
  const repo = `${base}/repo`;
  await Deno.mkdir(repo);
  const secret = `${base}/secret.txt`;
  await Deno.writeTextFile(secret, SECRET);
  try {
    await fn({ base, repo, secret });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

type OpenFn = typeof Deno.open;
type OpenSyncFn = typeof Deno.openSync;

/**
 * Runs `fn` with `Deno.open` and `Deno.openSync` wrapped: the first open of
 * `path` calls `swap()` first. Returns how many times the swap ran.
 */
async function withSwapBeforeOpen(
  path: string,
  swap: () => void,
  fn: () => Promise<void>,
): Promise<number> {
  const open: OpenFn = Deno.open;
  const openSync: OpenSyncFn = Deno.openSync;
  let swaps = 0;
  const before = (p: string | URL) => {
    if (swaps === 0 && String(p) === path) {
      swaps++;
      swap();
    }
  };
  Deno.open = ((p: string | URL, o?: Deno.OpenOptions) => {
    before(p);
    return open(p, o);
  }) as OpenFn;
  Deno.openSync = ((p: string | URL, o?: Deno.OpenOptions) => {
    before(p);
    return openSync(p, o);
  }) as OpenSyncFn;
  try {
    await fn();
  } finally {
    Deno.open = open;
    Deno.openSync = openSync;
  }
  return swaps;
}

function assertRefused(r: SafeReadResult, what: string): void {
  assert.equal(r.status, "refused", `${what}: ${JSON.stringify(r)}`);
  assert.ok(!JSON.stringify(r).includes("SECRET"), `${what}: the secret leaked`);
}

Deno.test("pin: safe read refuses a symlink to outside swapped in between check and open", async () => {
  await withFixture(async ({ repo, secret }) => {
    const target = `${repo}/TODO.md`;
    await Deno.writeTextFile(target, INSIDE);
    const reader = await createSafeReader(repo);
    assert.equal((await reader.readText("TODO.md")).status, "ok");

    const swaps = await withSwapBeforeOpen(target, () => {
      Deno.symlinkSync(secret, `${repo}/.swap`);
      Deno.renameSync(`${repo}/.swap`, target);
    }, async () => {
      assertRefused(await reader.readText("TODO.md"), "symlink swap");
    });
    assert.equal(swaps, 1, "the reader never opened the file it checked");
  });
});

Deno.test("pin: safe read refuses another file swapped in between check and open", async () => {
  await withFixture(async ({ repo }) => {
    const target = `${repo}/SCOPE.md`;
    await Deno.writeTextFile(target, INSIDE);
    const reader = await createSafeReader(repo);
    const swaps = await withSwapBeforeOpen(target, () => {
      // Same size, so only the identity (inode) tells them apart.
      Deno.writeTextFileSync(`${repo}/.swap`, OTHER.padEnd(INSIDE.length - 1, ".") + "\n");
      Deno.renameSync(`${repo}/.swap`, target);
    }, async () => {
      const r = await reader.readText("SCOPE.md");
      assertRefused(r, "file swap");
    });
    assert.equal(swaps, 1, "the reader never opened the file it checked");
    // With nothing racing, the new file reads normally.
    const again = await reader.readText("SCOPE.md");
    assert.equal(again.status, "ok");
  });
});

Deno.test({
  name: "pin: safe read of a FIFO swapped in after the check is refused at the deadline",
  // The blocked open(2) is abandoned by the reader, so it is still pending
  // when readText returns; the test unblocks it before it ends.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withFixture(async ({ repo }) => {
      const target = `${repo}/TODO.md`;
      await Deno.writeTextFile(target, INSIDE);
      const reader = await createSafeReader(repo, 1024 * 1024, createDeadline(300));
      let fifo = false;
      const swaps = await withSwapBeforeOpen(target, () => {
        Deno.removeSync(target);
        const made = new Deno.Command("mkfifo", { args: [target] }).outputSync();
        assert.ok(made.success, "mkfifo failed");
        fifo = true;
      }, async () => {
        // Not a timing assertion: a bound so a regression fails instead of hanging.
        const guard = Promise.withResolvers<"hung">();
        const timer = setTimeout(() => guard.resolve("hung"), 20_000);
        try {
          const r = await Promise.race([reader.readText("TODO.md"), guard.promise]);
          assert.notEqual(r, "hung", "readText hung on a FIFO swapped in after the check");
          if (r !== "hung") {
            assertRefused(r, "fifo swap");
            if (r.status === "refused") assert.match(r.reason, /deadline/);
          }
        } finally {
          clearTimeout(timer);
          // Release the abandoned open(2): a writer appearing lets it return.
          if (fifo) {
            const w = await Deno.open(target, { write: true });
            w.close();
          }
        }
      });
      assert.equal(swaps, 1, "the reader never opened the file it checked");
    });
  },
});

Deno.test({
  name: "pin: safe read under a swapping process never returns outside content",
  async fn() {
    await withFixture(async ({ base, repo, secret }) => {
      const target = `${repo}/TODO.md`;
      await Deno.writeTextFile(target, INSIDE);
      // The swapper: renames a symlink-to-outside and a fresh inside file over
      // TODO.md, alternately, until its stop file appears (or 2,000,000 swaps).
      const stop = `${base}/stop`;
      const script = `
        const [repo, secret, stop] = Deno.args;
        const target = repo + "/TODO.md";
        for (let i = 0; i < 2_000_000; i++) {
          if (i % 256 === 0) { try { Deno.statSync(stop); break; } catch { /* go on */ } }
          try {
            if (i % 2 === 0) {
              Deno.symlinkSync(secret, repo + "/.l");
              Deno.renameSync(repo + "/.l", target);
            } else {
              Deno.writeTextFileSync(repo + "/.f", ${JSON.stringify(INSIDE)});
              Deno.renameSync(repo + "/.f", target);
            }
          } catch { /* a leftover from the last round */ try { Deno.removeSync(repo + "/.l"); } catch {} }
        }
      `;
      const swapper = new Deno.Command(Deno.execPath(), {
        args: ["eval", script, repo, secret, stop],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const reader = await createSafeReader(repo);
      const seen: Record<string, number> = {};
      try {
        // Start reading once the swapper is swapping (bounded, in case it never does).
        const first = (await Deno.stat(target)).ino;
        for (let i = 0; i < 2000; i++) {
          const now = await Deno.lstat(target).catch(() => undefined);
          if (now === undefined || now.isSymlink || now.ino !== first) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        for (let i = 0; i < 10_000; i++) {
          const r = await reader.readText("TODO.md");
          seen[r.status] = (seen[r.status] ?? 0) + 1;
          if (r.status === "ok") assert.equal(r.text, INSIDE, `read ${i} returned ${r.text}`);
          else assert.ok(!JSON.stringify(r).includes("SECRET"));
        }
      } finally {
        await Deno.writeTextFile(stop, "");
        await swapper.status;
      }
      // Quiet again: a plain file reads whole.
      await Deno.writeTextFile(`${repo}/.f`, INSIDE);
      await Deno.rename(`${repo}/.f`, target);
      const calm = await reader.readText("TODO.md");
      assert.equal(calm.status === "ok" ? calm.text : calm.status, INSIDE);
    });
  },
});
