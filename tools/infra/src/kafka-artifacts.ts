/**
 * Makes the locked Kafka jars present in the per-user cache (outside the clone, so a new clone
 * does not download again): reuses a cached copy, else a ~/.m2 copy with the right checksum,
 * else downloads from the Maven repository with Node's fetch; every byte is checked against the
 * SHA-256 in the committed lock list before it is used.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ChecksumMismatchError, DownloadError } from './errors.js';
import { coordinatesOf, jarFileName, mavenPath, type LockList, type LockedArtifact } from './lock-list.js';

export interface ArtifactSources {
  /** Directory that will hold exactly the locked jars (the Kafka classpath). */
  readonly libDir: string;
  readonly mavenRepoUrl: string;
  readonly m2Repository: string;
  readonly log: (line: string) => void;
  /** Parallel downloads; Maven Central is fast, the machine has two cores. */
  readonly concurrency?: number;
}

export interface ArtifactReport {
  readonly libDir: string;
  readonly cached: number;
  readonly fromM2: number;
  readonly downloaded: number;
  readonly downloadedBytes: number;
}

const VERIFIED_FILE = '.verified.json';

/** Ensures `libDir` holds every locked jar, verified; removes jars the lock does not list. */
export async function ensureArtifacts(lock: LockList, src: ArtifactSources): Promise<ArtifactReport> {
  await mkdir(src.libDir, { recursive: true });
  const t0 = Date.now();
  // Hashing 56 MiB on every start would cost time; a jar whose size and mtime are unchanged
  // since we verified it is trusted.
  const verified = await readVerified(src.libDir);
  const nextVerified: Record<string, [number, number]> = {};
  const wanted = new Set(lock.artifacts.map(jarFileName));
  let cached = 0;
  let fromM2 = 0;
  let downloaded = 0;
  let downloadedBytes = 0;

  const work = lock.artifacts.map((artifact) => async () => {
    const name = jarFileName(artifact);
    const target = join(src.libDir, name);
    const present = await stat(target).catch(() => undefined);
    if (present !== undefined && present.size === artifact.size) {
      const mark = verified[name];
      if (
        (mark !== undefined && mark[0] === present.size && mark[1] === present.mtimeMs) ||
        (await sha256File(target)) === artifact.sha256
      ) {
        nextVerified[name] = [present.size, present.mtimeMs];
        cached += 1;
        return;
      }
    }
    const m2Copy = join(src.m2Repository, mavenPath(artifact));
    const m2Stat = await stat(m2Copy).catch(() => undefined);
    if (
      m2Stat !== undefined &&
      m2Stat.size === artifact.size &&
      (await sha256File(m2Copy)) === artifact.sha256
    ) {
      await placeAtomically(target, (tmp) => copyFile(m2Copy, tmp));
      fromM2 += 1;
    } else {
      await download(artifact, `${src.mavenRepoUrl}/${mavenPath(artifact)}`, target);
      downloaded += 1;
      downloadedBytes += artifact.size;
    }
    const placed = await stat(target);
    nextVerified[name] = [placed.size, placed.mtimeMs];
  });
  await runPool(work, src.concurrency ?? 6);

  for (const entry of await readdir(src.libDir)) {
    if (entry.endsWith('.jar') && !wanted.has(entry)) await rm(join(src.libDir, entry), { force: true });
  }
  await writeFile(join(src.libDir, VERIFIED_FILE), JSON.stringify(nextVerified));
  if (downloaded > 0 || fromM2 > 0) {
    src.log(
      `kafka: ${downloaded} jars downloaded (${(downloadedBytes / 1048576).toFixed(1)} MiB), ${fromM2} reused from ${src.m2Repository}, ${cached} cached, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return { libDir: src.libDir, cached, fromM2, downloaded, downloadedBytes };
}

async function download(artifact: LockedArtifact, url: string, target: string): Promise<void> {
  const attempts = 4;
  for (let attempt = 1; ; attempt++) {
    try {
      await placeAtomically(target, async (tmp) => {
        const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
        if (!response.ok || response.body === null) {
          throw new DownloadError(url, `HTTP ${response.status}`);
        }
        const hash = createHash('sha256');
        const file = await open(tmp, 'w');
        try {
          for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            await file.write(chunk);
          }
        } finally {
          await file.close();
        }
        const actual = hash.digest('hex');
        if (actual !== artifact.sha256)
          throw new ChecksumMismatchError(coordinatesOf(artifact), artifact.sha256, actual);
      });
      return;
    } catch (error) {
      // A checksum mismatch is not transient; a mirror serving other bytes must be looked at.
      const transient =
        !(error instanceof ChecksumMismatchError) &&
        !(error instanceof DownloadError && /HTTP 4\d\d/.test(error.message));
      if (!transient || attempt >= attempts) {
        if (error instanceof ChecksumMismatchError || error instanceof DownloadError) throw error;
        throw new DownloadError(url, error instanceof Error ? error.message : String(error), {
          cause: error,
        });
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

/** Writes through a temporary file and renames, so a crash never leaves a half jar in place. */
async function placeAtomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${target}.${process.pid}.${Date.now()}.part`;
  try {
    await write(tmp);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readVerified(libDir: string): Promise<Record<string, [number, number] | undefined>> {
  try {
    return JSON.parse(await readFile(join(libDir, VERIFIED_FILE), 'utf8')) as Record<
      string,
      [number, number]
    >;
  } catch {
    return {};
  }
}

async function runPool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}
