import type { SinkPlugin } from "../../core/plugin/types.ts";
import { stdout } from "../../core/cli/io.ts";
import { writeFileAtomic } from "../../core/fs/atomic.ts";

/** Writes the rendered bundle to standard output (the default). */
export const stdoutSink: SinkPlugin = {
  name: "stdout",
  emit(_bundle, ctx) {
    stdout(ctx.rendered);
  },
};

/** Writes the rendered bundle atomically to `--out FILE` (chosen automatically with `--out`). */
export const fileSink: SinkPlugin = {
  name: "file",
  async emit(_bundle, ctx) {
    if (!ctx.out) throw new Error("the file sink needs --out FILE");
    await writeFileAtomic(ctx.out, ctx.rendered);
  },
};
