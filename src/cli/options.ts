/**
 * Every flag that maps to a config key, defined once: the flag, its help, its parser and its key.
 * cli.ts derives commander options from this table, and `flagsToConfig` derives the config overlay.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Config } from '../config/schema.js';

export interface GlobalFlags {
  url?: string;
  config?: string;
  manifest?: string;
  timeout?: number;
  json?: boolean;
  verbose?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsInsecure?: boolean;
  cluster?: boolean;
}

/** A value parser that names its flag in the error. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} takes a positive whole number, got "${value}"`);
    }
    // Node's timers hold at most 2^31 - 1 ms (24.8 days); past that a timer fires at once.
    if (flag === '--timeout' && n > 2_147_483_647)
      throw new InvalidArgumentError(`--timeout takes at most 2147483647 ms, got "${value}"`);
    return n;
  };
}

/** A value parser for a count that may be 0, naming its flag in the error. */
export function countOf(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${flag} takes a whole number (0 or more), got "${value}"`);
    }
    return Number(value);
  };
}

/** A value parser for a positive number (not only whole), naming its flag in the error. */
export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} takes a positive number, got "${value}"`);
    }
    return n;
  };
}

/** What a command does with the server and the manifest, which its common options' help follows. */
export interface OptionUse {
  /** False for a command that never connects (lint): it takes no --url, --timeout, --cluster, --tls-*. */
  server: boolean;
  /**
   * What it does with the manifest, said in -m's help; undefined when it does not use it: -m is then
   * left out of its help, and still accepted (a shared alias or script may pass it to every command).
   */
  manifest?: 'read' | 'read and write';
}

/**
 * The options every command takes (the program takes them all, before a command's name); `use`
 * leaves out the connection options of a command that needs no server.
 */
export function globalOptions(use: OptionUse = { server: true, manifest: 'read and write' }): Option[] {
  const server = (option: Option) => (use.server ? [option] : []);
  const manifest = new Option(
    '-m, --manifest <file>',
    use.manifest
      ? `SHA manifest (lockfile) to ${use.manifest} (default rscript.lock.json)`
      : 'SHA manifest (lockfile): accepted, not used by this command',
  );
  return [
    ...server(
      new Option('-u, --url <url>', 'Redis URL, redis://[user:password@]host:port[/db] or rediss:// (env REDIS_URL)'),
    ),
    new Option('-c, --config <file>', 'config file (default: .redisscriptsrc and friends, found from here up)'),
    use.manifest ? manifest : manifest.hideHelp(),
    ...server(
      new Option('--timeout <ms>', 'connect and request timeout in ms (default 5000)').argParser(
        positiveInt('--timeout'),
      ),
    ),
    ...server(new Option('--cluster', 'treat the server as a Redis Cluster (detected by itself otherwise)')),
    ...server(new Option('--tls-ca <file>', 'CA certificate (PEM) to verify a rediss:// server')),
    ...server(new Option('--tls-cert <file>', 'client certificate (PEM) for rediss://')),
    ...server(new Option('--tls-key <file>', 'client key (PEM) for rediss://')),
    ...server(new Option('--tls-insecure', 'skip TLS certificate verification (testing only)')),
    new Option('--json', 'print one JSON document on stdout and nothing else there'),
    new Option('-v, --verbose', 'say more, and show stack traces on errors (also DEBUG=rscript)'),
  ];
}

/** The TLS flags the command line gave, by name. */
export function tlsFlagsGiven(flags: GlobalFlags): string[] {
  const given: Array<[unknown, string]> = [
    [flags.tlsCa, '--tls-ca'],
    [flags.tlsCert, '--tls-cert'],
    [flags.tlsKey, '--tls-key'],
    [flags.tlsInsecure, '--tls-insecure'],
  ];
  return given.filter(([value]) => value !== undefined).map(([, name]) => name);
}

/** The config overlay the flags make; flags left undefined are dropped by loadConfig. */
export function flagsToConfig(flags: GlobalFlags): Partial<Config> & { config?: string } {
  const tls =
    tlsFlagsGiven(flags).length > 0
      ? { ca: flags.tlsCa, cert: flags.tlsCert, key: flags.tlsKey, insecure: flags.tlsInsecure }
      : undefined;
  return {
    config: flags.config,
    url: flags.url,
    manifest: flags.manifest,
    timeoutMs: flags.timeout,
    cluster: flags.cluster,
    tls,
  };
}
