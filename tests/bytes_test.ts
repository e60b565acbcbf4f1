/** `utf8Length` against the independent reference: what TextEncoder produces. */
import assert from "node:assert/strict";
import { utf8Length } from "../core/bytes.ts";

const encoded = (s: string) => new TextEncoder().encode(s).length;

Deno.test("utf8Length equals TextEncoder's length on every width and on lone surrogates", () => {
  for (
    const s of [
      "",
      "a",
      "é",
      "€",
      "😀",
      "a😀b",
      "\ud83d",
      "\ude00",
      "\ude00\ud83d",
      "x\ud83dy",
      "\u07ff\u0800",
    ]
  ) {
    assert.equal(utf8Length(s), encoded(s), JSON.stringify(s));
  }
});

Deno.test("utf8Length equals TextEncoder's length on random code-unit strings", () => {
  // Random UTF-16 code units, surrogates over-represented so pairs and lone halves both occur.
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let round = 0; round < 2000; round++) {
    const units: number[] = [];
    for (let i = next() % 20; i > 0; i--) {
      const r = next() % 4;
      units.push(r === 0 ? 0xd800 + next() % 0x800 : r === 1 ? next() % 0x80 : next() % 0x10000);
    }
    const s = String.fromCharCode(...units);
    assert.equal(utf8Length(s), encoded(s), JSON.stringify(s));
  }
});
