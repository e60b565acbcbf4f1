/**
 * NATS server URLs: credentials split off for the client, masked for people.
 *
 * @module
 */
import { maskUserinfo } from "../net/userinfo.ts";
import { KaizenError } from "../errors.ts";

/** The default when neither `--nats-url` nor `NATS_URL` is given. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** A server address for the client plus the credentials its URL carried. */
export interface NatsTarget {
  /** `host:port`, without credentials. */
  server: string;
  /** User name, when the URL had `user:password@`. */
  user?: string;
  /** Password, when the URL had `user:password@`. */
  pass?: string;
  /** Token, when the URL had a lone `token@`. */
  token?: string;
  /** `tls://`: the connection must be upgraded. */
  tls: boolean;
}

/**
 * Thrown for a URL that is not a NATS server address (code `nats-url`, a
 * usage error); the message never quotes a password.
 */
export class NatsUrlError extends KaizenError {
  /** Always `NatsUrlError`. */
  override name = "NatsUrlError";
  constructor(message: string) {
    super("nats-url", message);
  }
}

/**
 * Parses `nats://[user[:pass]@]host[:port]` (also `tls://`). A user without a
 * password is a token, as NATS clients read it.
 */
export function parseNatsUrl(url: string): NatsTarget {
  let u: URL;
  try {
    u = new URL(url.includes("://") ? url : `nats://${url}`);
  } catch {
    throw new NatsUrlError(`'${maskUrl(url)}' is not a NATS URL (e.g. nats://127.0.0.1:4222)`);
  }
  if (!["nats:", "tls:"].includes(u.protocol) || u.hostname === "") {
    throw new NatsUrlError(`'${maskUrl(url)}' is not a NATS URL (e.g. nats://127.0.0.1:4222)`);
  }
  if (u.pathname !== "" && u.pathname !== "/") {
    throw new NatsUrlError(`'${maskUrl(url)}' has a path; a NATS URL is scheme://host:port`);
  }
  const port = u.port === "" ? "4222" : u.port;
  const user = u.username ? decodeURIComponent(u.username) : undefined;
  const pass = u.password ? decodeURIComponent(u.password) : undefined;
  return {
    server: `${u.hostname}:${port}`,
    ...(user !== undefined && pass !== undefined ? { user, pass } : {}),
    ...(user !== undefined && pass === undefined ? { token: user } : {}),
    tls: u.protocol === "tls:",
  };
}

/**
 * The URL as it may be shown: a password, or a lone token, replaced by `***`.
 * The userinfo runs to the last `@` before the host, so a password holding
 * `@` is masked whole. Works on text that does not parse, too.
 */
export function maskUrl(url: string): string {
  return maskUserinfo(url);
}
