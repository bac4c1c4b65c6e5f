import { CheckFailedError } from '../errors.js';
import { typeReply, type TypedReply } from '../output/reply.js';
import { resolveScript } from '../registry/resolve.js';
import { replyCode, type Target } from '../server/connection.js';
import { locateScriptError } from '../server/script-errors.js';
import { evalSha } from '../server/scripts.js';
import { withConnection } from '../server/session.js';

export interface ExecOptions {
  script: string;
  keys: string[];
  args: string[];
  readOnly?: boolean;
  manifest: string;
  scripts: string[];
  target: Target;
  cwd?: string;
}

export interface ExecResult {
  script: string;
  sha: string;
  path?: string;
  reply: TypedReply;
  rttMs: number;
  /** The server lacked the script: it was loaded and the call retried once. */
  reloaded: boolean;
}

/** Runs one script by name, path or SHA through EVALSHA, reloading it once on NOSCRIPT. */
export async function exec(options: ExecOptions): Promise<ExecResult> {
  const resolved = resolveScript(options.script, options);
  const body = resolved.script?.bytes;
  return withConnection(options.target, async (conn) => {
    try {
      const { reply, rttMs, reloaded } = await evalSha(conn, resolved.sha, options.keys, options.args, {
        readOnly: options.readOnly,
        body,
        raw: true,
      });
      return { script: resolved.name, sha: resolved.sha, path: resolved.script?.path, reply: typeReply(reply), rttMs, reloaded };
    } catch (err) {
      const code = replyCode(err);
      if (code === undefined) throw err;
      const message = (err as Error).message;
      if (code === 'NOSCRIPT') {
        throw new CheckFailedError(`${resolved.name}: the server does not have sha ${resolved.sha} and no local file is known to load it`, [
          'Run rscript load, or pass the path of the .lua file.',
        ]);
      }
      const located = locateScriptError(message, resolved.script?.path ?? resolved.name, body);
      throw new CheckFailedError(located.text, located.source ? [located.source] : []);
    }
  });
}
