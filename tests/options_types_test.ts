/**
 * Options are declared once (core/commands/options.ts and each command
 * group's module) and the invocation is typed from them: reading an option a
 * command does not declare does not compile. The `@ts-expect-error` lines
 * below are the test — `deno check` fails if a misspelt name ever compiles.
 */
import assert from "node:assert/strict";
import { parseArgv, typed, type TypedInvocation } from "../core/cli/framework.ts";
import { LIST_OPTIONS, type PREPARE_OPTIONS } from "../core/commands/options.ts";
import { commandTree } from "../cli.ts";

Deno.test("option names are checked when the code compiles, values when the command line is parsed", () => {
  const list = { args: [], path: [], opts: { count: "3" } } as TypedInvocation<typeof LIST_OPTIONS>;
  assert.equal(list.opts.count, "3");
  // @ts-expect-error: 'cuont' is not an option of `schedule list`
  assert.equal(list.opts.cuont, undefined);

  const prepare = { args: [], path: [], opts: {} } as TypedInvocation<typeof PREPARE_OPTIONS>;
  assert.equal(prepare.opts["sink-timeout"], undefined);
  // @ts-expect-error: 'sink_timeout' is not an option of `schedule prepare`
  assert.equal(prepare.opts.sink_timeout, undefined);

  // The parser fills exactly the declared names, which is what `typed` relies on.
  const out = parseArgv(commandTree(), ["schedule", "list", "--count", "2", "--all"]);
  assert.equal(out.kind, "run");
  if (out.kind === "run") {
    const inv = typed(out.invocation, LIST_OPTIONS);
    assert.equal(inv.opts.count, "2");
    assert.equal(inv.opts.all, true);
    assert.deepEqual(Object.keys(out.invocation.opts).sort(), ["all", "count", "format", "target"]);
  }
});
