import { type SinkPlugin, writeFileAtomic, writeStdout } from "../../plugin.ts";

/** Writes the rendered bundle to standard output (the default). */
export const stdoutSink: SinkPlugin = {
  name: "stdout",
  writes: "stdout",
  emit(_bundle, ctx) {
    writeStdout(ctx.rendered);
  },
};

/** Writes the rendered bundle atomically to `--out FILE` (chosen automatically with `--out`). */
export const fileSink: SinkPlugin = {
  name: "file",
  writes: "out",
  async emit(_bundle, ctx) {
    if (!ctx.out) throw new Error("the file sink needs --out FILE");
    try {
      await writeFileAtomic(ctx.out, ctx.rendered);
    } catch (err) {
      // Name the file the user asked for, not our temporary sibling.
      const why = err instanceof Deno.errors.NotFound
        ? "its directory does not exist"
        : err instanceof Deno.errors.PermissionDenied
        ? "permission denied"
        : err instanceof Error
        ? err.name
        : "write failed";
      throw new Error(`cannot write ${ctx.out}: ${why}`);
    }
  },
};
