/**
 * One permission list (scripts/permissions.ts): the places that cannot import
 * it spell it out, and this test keeps them equal.
 */
import assert from "node:assert/strict";
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

const root = new URL("..", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

function flagsBefore(text: string, entry: RegExp): string[] {
  const m = entry.exec(text);
  assert.ok(m, `no match for ${entry}`);
  return m[1].split(/[\s\\]+/).filter((f) => f.startsWith("--allow-"));
}

Deno.test("deno.json's kaizen and compile tasks use exactly the CLI permission list", async () => {
  const tasks = JSON.parse(await read("deno.json")).tasks as Record<string, string>;
  assert.deepEqual(flagsBefore(tasks.kaizen, /deno run (.*) cli\.ts$/), [...CLI_PERMISSIONS]);
  assert.deepEqual(
    flagsBefore(tasks.compile, /deno compile (.*) --output/),
    [...CLI_PERMISSIONS],
  );
});

Deno.test("./dev kaizen uses exactly the CLI permission list", async () => {
  const dev = await read("dev");
  assert.deepEqual(
    flagsBefore(dev, /deno run --config "\$here\/deno\.json" ([\s\S]*?) "\$here\/cli\.ts"/),
    [
      ...CLI_PERMISSIONS,
    ],
  );
});

Deno.test("system access is limited to the hostname (roster discover's --host default)", async () => {
  for (const file of ["deno.json", "dev", "examples/custom-binary.ts"]) {
    const text = await read(file);
    for (const m of text.matchAll(/--allow-sys[^\s`"]*/g)) {
      assert.equal(m[0], "--allow-sys=hostname", file);
    }
  }
});
