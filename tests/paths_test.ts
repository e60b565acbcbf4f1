/** `core/fs/paths.ts`: the fast "already normal" return agrees with the full normalisation. */
import assert from "node:assert/strict";
import { join, normalize, resolve } from "../core/fs/paths.ts";

/** The plain algorithm, kept here as the reference. */
function reference(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

Deno.test("normalize agrees with the reference on 50,000 random paths", () => {
  const parts = [
    "",
    "/",
    ".",
    "..",
    "a",
    "b.",
    ".c",
    "...",
    "//",
    "x/",
    "/y",
    "a.b",
    "-",
    " ",
    "é",
  ];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 50_000; i++) {
    let p = "";
    const len = Math.floor(next() * 7);
    for (let j = 0; j < len; j++) p += parts[Math.floor(next() * parts.length)];
    assert.equal(normalize(p), reference(p), JSON.stringify(p));
  }
});

Deno.test("join and resolve", () => {
  assert.equal(join("/srv/repo", ".kaizen/schedule.yml"), "/srv/repo/.kaizen/schedule.yml");
  assert.equal(join("/srv/repo/", "../x"), "/srv/x");
  assert.equal(resolve("/a/./b//c/"), "/a/b/c");
  assert.equal(resolve("x", "/base"), "/base/x");
});
