/**
 * The YAML validator engine (`core/yaml/validate.ts`) on a small spec of its
 * own: each spec feature, with the code, message and exact line:col of what
 * it reports, and that every problem comes out of one pass.
 */
import assert from "node:assert/strict";
import { validateYaml } from "../core/yaml/validate.ts";
import { bool, entries, fields, type FileSpec, list, num, oneOf, str } from "../core/yaml/spec.ts";
import { version } from "../core/yaml/spec.ts";

interface Pet {
  kind: "cat" | "dog";
  name: string;
  age?: number;
  tags?: string[];
}

const PET = fields({
  kind: oneOf(["cat", "dog"] as const, { code: "invalid-kind", required: true }),
  name: str({
    code: "invalid-name",
    pattern: /^[a-z]+$/,
    expect: "match ^[a-z]+$",
    required: true,
  }),
  age: num({
    code: "invalid-age",
    expect: "be an age in years",
    check: (n) => Number.isInteger(n) && n >= 0 && n <= 30,
  }),
  tags: list(str({ code: "invalid-tag" }), { code: "tags-not-list" }),
}, {
  code: "pet-not-mapping",
  rule({ kind, name }, at) {
    if (kind === "dog" && name === "tom") at.report("odd-name", "a dog named tom is odd");
  },
  build: ({ kind, name, age, tags }): Pet => ({ kind, name, age, tags }),
});

const SPEC: FileSpec<{ pets: Record<string, Pet>; quiet: boolean }> = {
  noun: "pets file",
  maxBytes: 1024,
  maxAliases: 3,
  empty: "it needs 'version' and 'pets'",
  root: fields({
    version: version("2", "unsupported-version", "version-not-string"),
    pets: entries(
      (key, at) => {
        if (!/^[a-z]+$/.test(key)) at.report("invalid-pet", `pet '${key}' is not a lowercase word`);
      },
      PET,
      { code: "pets-not-mapping", required: true, nonEmpty: ["no-pets", "pets is empty"] },
    ),
    quiet: bool({ code: "invalid-quiet", default: false }),
    owner: str({
      code: "invalid-owner",
      check: (s) => s.includes("@") ? "owner must be a name, not an address" : undefined,
    }),
  }, { code: "root-not-mapping", build: ({ pets, quiet }) => ({ pets, quiet }) }),
};

/** `code line:col message` for each diagnostic. */
function problems(text: string): string[] {
  const { value, diagnostics } = validateYaml(text, SPEC, "pets.yml");
  if (diagnostics.some((d) => d.severity === "error")) assert.equal(value, undefined);
  for (const d of diagnostics) assert.equal(d.file, "pets.yml");
  return diagnostics.map((d) => `${d.code} ${d.line}:${d.col} ${d.message}`);
}

const HEAD = 'version: "2"\npets:\n';

Deno.test("yaml validate: a valid file reads into the built value, defaults filled in", () => {
  const text = HEAD + "  tom:\n    kind: cat\n    name: tom\n    age: 3\n    tags: [lazy]\n";
  assert.deepEqual(validateYaml(text, SPEC), {
    value: { pets: { tom: { kind: "cat", name: "tom", age: 3, tags: ["lazy"] } }, quiet: false },
    diagnostics: [],
  });
});

Deno.test("yaml validate: required keys, at 1:1 for the root and at the key for an entry", () => {
  assert.deepEqual(problems("quiet: true\n"), [
    `missing-key 1:1 missing required key 'version' (add: version: "2")`,
    "missing-key 1:1 missing required key 'pets'",
  ]);
  assert.deepEqual(problems(HEAD + "  tom:\n    name: tom\n"), [
    "missing-key 3:3 tom is missing required key 'kind' (cat, dog)",
  ]);
});

Deno.test("yaml validate: enum with did-you-mean, pattern, range and custom check", () => {
  const text = HEAD + "  tom:\n    kind: Cat\n    name: Tom\n    age: 31\nowner: a@b\n";
  assert.deepEqual(problems(text), [
    "invalid-kind 4:11 kind must be one of cat, dog, got 'Cat' (did you mean 'cat'?)",
    "invalid-name 5:11 name must match ^[a-z]+$, got 'Tom'",
    "invalid-age 6:10 age must be an age in years, got number 31",
    "invalid-owner 7:8 owner must be a name, not an address",
  ]);
});

Deno.test("yaml validate: unknown keys with did-you-mean, in the root and in an entry", () => {
  const text = HEAD + "  tom:\n    kind: cat\n    name: tom\n    agee: 3\nquite: true\n";
  assert.deepEqual(problems(text), [
    "unknown-key 6:5 unknown key 'agee' in tom (did you mean 'age'?); allowed: kind, name, age, tags",
    "unknown-key 7:1 unknown key 'quite' (did you mean 'quiet'?); allowed: version, pets, quiet, owner",
  ]);
});

Deno.test("yaml validate: a duplicate key hides nothing; every problem in one pass", () => {
  const text = HEAD +
    "  tom:\n    kind: cat\n    name: tom\n    kind: dog\n  Rex:\n    kind: bird\n" +
    "    name: rex\nquiet: maybe\n";
  assert.deepEqual(problems(text), [
    "duplicate-key 6:5 duplicate key 'kind'",
    "invalid-pet 7:3 pet 'Rex' is not a lowercase word",
    "invalid-kind 8:11 kind must be one of cat, dog, got 'bird'",
    "invalid-quiet 10:8 quiet must be a boolean (true or false), got 'maybe'",
  ]);
});

Deno.test("yaml validate: types, lists, empty mappings and a rule across fields", () => {
  assert.deepEqual(problems(HEAD.replace("pets:\n", "pets: {}\n")), [
    "no-pets 2:7 pets is empty",
  ]);
  assert.deepEqual(problems('version: 2\npets: [tom]\nquiet: "yes"\n'), [
    `version-not-string 1:10 version must be the string "2", not the number 2; quote it: version: "2"`,
    "pets-not-mapping 2:7 pets must be a mapping, got a list",
    "invalid-quiet 3:8 quiet must be a boolean (true or false), got 'yes'; write true without quotes",
  ]);
  const dog = HEAD + "  tom:\n    kind: dog\n    name: tom\n    tags: [1, ok]\n";
  assert.deepEqual(problems(dog), [
    "odd-name 4:5 a dog named tom is odd",
    "invalid-tag 6:12 tags[0] must be a string, got number 1",
  ]);
});

Deno.test("yaml validate: an empty entry is reported where its value would be; a non-mapping root by its kind", () => {
  assert.deepEqual(problems(HEAD + "  tom:\n"), [
    "pet-not-mapping 3:7 tom must be a mapping, got null",
  ]);
  assert.deepEqual(problems("- a\n"), [
    "root-not-mapping 1:1 pets file root must be a mapping, got a list",
  ]);
});

Deno.test("yaml validate: the file's limits come first and alone", () => {
  assert.deepEqual(problems("# nothing\n"), [
    "empty 1:1 pets file is empty; it needs 'version' and 'pets'",
  ]);
  const big = HEAD + "#" + "x".repeat(1024) + "\n";
  assert.deepEqual(problems(big), [
    `too-large 1:1 pets file is ${big.length} bytes; the limit is 1024 (1 KiB)`,
  ]);
  const aliases = HEAD + "  tom: &t {kind: cat, name: tom}\n  a: *t\n  b: *t\n  c: *t\n  d: *t\n";
  assert.deepEqual(problems(aliases), [
    "too-many-aliases 4:6 pets file uses 4 aliases; at most 3 are allowed (alias expansion is capped)",
  ]);
  assert.deepEqual(problems(HEAD + "  tom: *t\n"), [
    "yaml-syntax 3:8 YAML syntax error: alias '*t' has no anchor '&t' before it",
  ]);
  assert.deepEqual(problems(HEAD + "\ttom: 1\n"), [
    "yaml-syntax 3:1 YAML syntax error: Tabs are not allowed as indentation",
  ]);
});

Deno.test("yaml validate: a check's warning leaves the value; positions survive CRLF and a BOM", () => {
  const spec: FileSpec<string> = {
    ...SPEC,
    root: fields({
      note: str({
        code: "invalid-note",
        check(note, at) {
          if (note.length > 3) at.report("long-note", "a long note", { severity: "warning" });
        },
      }),
    }, { code: "root-not-mapping", build: ({ note }) => note ?? "" }),
  };
  const { value, diagnostics } = validateYaml("\uFEFF\r\nnote: hello\r\n", spec);
  assert.equal(value, "hello");
  assert.deepEqual(diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col}`), [
    "warning long-note 2:7",
  ]);
});

Deno.test("yaml validate: a bad node behind two aliases is reported once", () => {
  const text = HEAD + "  tom: &t\n    kind: cow\n    name: tom\n  max: *t\n";
  assert.deepEqual(problems(text), [
    "invalid-kind 4:11 kind must be one of cat, dog, got 'cow'",
  ]);
});
