/**
 * Finding and running ffmpeg. Order for `'auto'`: the `FFMPEG_PATH` environment variable, then `ffmpeg`
 * on `PATH`, then the static binary of the optional npm package `@ffmpeg-installer/ffmpeg`. Processes are
 * spawned without a shell (arguments are never parsed by one), with stdin closed and a time limit.
 *
 * @packageDocumentation
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fail, IoError, VjepaError } from '@vjepa/core';

/**
 * Which ffmpeg to use: `'auto'` (default; `FFMPEG_PATH`, then PATH, then npm), `'system'` (`FFMPEG_PATH`
 * or PATH only), `'npm'` (only `@ffmpeg-installer/ffmpeg`), or `{ path }` for an explicit executable.
 */
export type FfmpegChoice = 'auto' | 'system' | 'npm' | { path: string };

/** A resolved ffmpeg executable and where it was found. */
export interface FfmpegBinary {
  /** Absolute path of the executable. */
  path: string;
  /** How it was found: an explicit option, `FFMPEG_PATH`, `PATH`, or the npm package. */
  origin: 'option' | 'env' | 'path' | 'npm';
}

const NPM_PACKAGE = '@ffmpeg-installer/ffmpeg';

function isExecutableFile(candidate: string): boolean {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `ffmpeg` (`ffmpeg.exe` on Windows) in the directories of `searchPath`. */
export function findOnPath(searchPath: string | undefined = process.env.PATH, name = 'ffmpeg'): string | null {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const directory of (searchPath ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    for (const file of names) {
      const candidate = path.resolve(directory, file);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/** A `require` that resolves from this package (tsup shims `import.meta.url` in the CJS build). */
function packageRequire(): NodeRequire {
  return createRequire(import.meta.url);
}

/**
 * The executable shipped by the optional dependency `@ffmpeg-installer/ffmpeg`, or null when the package
 * (or its binary for this platform) is not installed.
 */
export function findNpmFfmpeg(): string | null {
  try {
    const installed = packageRequire()(NPM_PACKAGE) as { path?: unknown };
    return typeof installed.path === 'string' && isExecutableFile(installed.path) ? installed.path : null;
  } catch {
    return null;
  }
}

const INSTALL_HINT =
  'Install ffmpeg (e.g. `apt-get install ffmpeg`, `brew install ffmpeg`), set FFMPEG_PATH, or install the optional dependency @ffmpeg-installer/ffmpeg';

/**
 * Resolves `choice` to an ffmpeg executable (see {@link FfmpegChoice}).
 *
 * @param choice - which ffmpeg; default `'auto'`.
 * @param env - the environment to read `FFMPEG_PATH` and `PATH` from; default `process.env`.
 * @throws VjepaError when the requested ffmpeg cannot be found, with what to install.
 */
export function resolveFfmpeg(choice: FfmpegChoice = 'auto', env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  if (typeof choice === 'object' && choice !== null && typeof choice.path === 'string') {
    if (!isExecutableFile(choice.path)) fail('ffmpeg.path', 'an executable ffmpeg file', choice.path);
    return { path: path.resolve(choice.path), origin: 'option' };
  }
  if (choice !== 'auto' && choice !== 'system' && choice !== 'npm') {
    fail('ffmpeg', `'auto', 'system', 'npm' or { path }`, choice);
  }
  if (choice !== 'npm') {
    const fromEnv = env.FFMPEG_PATH;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (!isExecutableFile(fromEnv)) fail('FFMPEG_PATH', 'the path of an executable ffmpeg', fromEnv, 'Fix or unset the variable');
      return { path: path.resolve(fromEnv), origin: 'env' };
    }
    const onPath = findOnPath(env.PATH);
    if (onPath !== null) return { path: onPath, origin: 'path' };
    if (choice === 'system') fail('ffmpeg', 'an ffmpeg executable on PATH or in FFMPEG_PATH', 'none found', INSTALL_HINT);
  }
  const fromNpm = findNpmFfmpeg();
  if (fromNpm !== null) return { path: fromNpm, origin: 'npm' };
  return fail('ffmpeg', choice === 'npm' ? `the npm package ${NPM_PACKAGE}` : 'an ffmpeg executable', 'none found', INSTALL_HINT);
}

/**
 * ffmpeg itself failed, not the file: it could not be started (missing, not executable) or it was killed
 * by a signal it was not sent by us (out of memory, stopped by someone). The item is not marked bad; the
 * error goes up to the caller, and a later attempt (once ffmpeg is back) reads the file normally.
 */
export class FfmpegFailedError extends IoError {}

/** Throws {@link FfmpegFailedError} when ffmpeg was killed by a signal other than our own timeout. */
export function throwIfKilled(result: RunResult, file: string, action: string): void {
  if (result.signal !== null && !result.timedOut) {
    throw new FfmpegFailedError(
      `ffmpeg: expected to finish ${action} ${JSON.stringify(file)}, received a kill by ${result.signal} (not a fault of the file: ` +
        'out of memory, or stopped by someone). Run again; the file is not skipped',
    );
  }
}

/** Features of one ffmpeg build that change the command line. */
export interface FfmpegFeatures {
  /** `-fps_mode passthrough` exists (ffmpeg ≥ 5.1, libavutil ≥ 57.28); older builds take `-vsync 0`. */
  fpsMode: boolean;
}

const featureCache = new Map<string, FfmpegFeatures>();

/**
 * The features of an ffmpeg build, read once per executable from `ffmpeg -version` (its libavutil
 * version, which also identifies git builds whose own version string is a commit).
 */
export function ffmpegFeatures(binary: FfmpegBinary): FfmpegFeatures {
  const cached = featureCache.get(binary.path);
  if (cached !== undefined) return cached;
  const result = spawnSync(binary.path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error !== undefined) {
    throw new FfmpegFailedError(`ffmpeg: could not run ${binary.path} (${result.error.message}). ${INSTALL_HINT}`, { cause: result.error });
  }
  const match = /libavutil\s+(\d+)\.\s*(\d+)/.exec(result.stdout ?? '');
  const major = match ? Number(match[1]) : 0;
  const minor = match ? Number(match[2]) : 0;
  const features = { fpsMode: major > 57 || (major === 57 && minor >= 28) };
  featureCache.set(binary.path, features);
  return features;
}

/** The arguments that make ffmpeg emit every selected frame once, without duplicating or dropping any. */
export function passthroughArgs(binary: FfmpegBinary): string[] {
  return ffmpegFeatures(binary).fpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', '0'];
}

/** Options of {@link runFfmpeg}. */
export interface RunOptions {
  /** Kill ffmpeg after this many milliseconds; default 120 000. */
  timeoutMs?: number;
  /** Bytes of stdout to keep, preallocated; more is read and dropped (default: keep everything). */
  stdoutBytes?: number;
  /** Bytes written to ffmpeg's stdin (then closed); default: stdin closed at once. */
  stdin?: Uint8Array;
}

/** What one ffmpeg process gave back. */
export interface RunResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** The signal that ended it, if any (`SIGKILL` after a timeout). */
  signal: NodeJS.Signals | null;
  /** Whether it was killed for running past `timeoutMs`. */
  timedOut: boolean;
  /** Standard output (at most `stdoutBytes` when given). */
  stdout: Uint8Array;
  /** Bytes received on stdout in all (may exceed `stdout.length`). */
  stdoutTotal: number;
  /** The last 8 KiB of standard error, as text. */
  stderr: string;
}

const STDERR_KEEP = 8192;

/**
 * Runs ffmpeg with `args` (no shell), collecting stdout as bytes and the tail of stderr.
 * Resolves whatever the exit code; rejects only when the executable cannot be started.
 */
export function runFfmpeg(binary: FfmpegBinary, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 120_000, stdoutBytes, stdin } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(binary.path, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    const kept = stdoutBytes === undefined ? null : new Uint8Array(stdoutBytes);
    let total = 0;
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (kept === null) chunks.push(chunk);
      else if (total < kept.length) kept.set(chunk.subarray(0, kept.length - total), total);
      total += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined); // ffmpeg may exit before reading everything; its exit code says why
    if (stdin === undefined) child.stdin.end();
    else child.stdin.end(stdin);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new FfmpegFailedError(`ffmpeg: could not run ${binary.path} (${error.message}). ${INSTALL_HINT}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = kept === null ? new Uint8Array(Buffer.concat(chunks)) : kept.subarray(0, Math.min(total, kept.length));
      resolve({ code, signal, timedOut, stdout, stdoutTotal: total, stderr });
    });
  });
}

/**
 * A short reason from ffmpeg's error output for messages: its last two distinct lines, without the
 * `[demuxer @ 0x…]` prefixes and without the file name ffmpeg repeats (the message names it already).
 */
export function ffmpegErrorSummary(stderr: string, file?: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^(\[[^\]]*\]\s*)+/, ''))
    .map((line) => (file !== undefined && line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line))
    .filter((line) => line !== '');
  const tail = [...new Set(lines.slice(-2))];
  return tail.length === 0 ? 'no message from ffmpeg' : tail.join('; ').slice(0, 240);
}
