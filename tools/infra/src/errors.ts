/**
 * Errors of the local infrastructure tool, each with a stable code so the CLI and tests can tell
 * a taken port from a missing package from a service that never became ready.
 */
import { SimstreamError } from '@simstream/errors';

/** A port we need is held by a process this tool did not start; we never kill it. */
export class PortInUseError extends SimstreamError {
  constructor(
    readonly service: string,
    readonly port: number,
    readonly holder: string | undefined,
  ) {
    const who = holder === undefined ? 'another process' : holder;
    super(
      'INFRA_PORT_IN_USE',
      `${service}: port ${port} on 127.0.0.1 is already in use by ${who}, which this tool did not start; ` +
        `stop it or choose another port (see tools/infra/README.md)`,
    );
  }
}

/** A Debian package is missing and we may not install it (not root), or installing failed. */
export class MissingPackageError extends SimstreamError {
  constructor(
    readonly packages: readonly string[],
    detail: string,
  ) {
    super('INFRA_MISSING_PACKAGE', `${detail}: run \`sudo apt-get install -y ${packages.join(' ')}\``);
  }
}

/** A service did not answer its readiness probe in time, or its process exited while starting. */
export class NotReadyError extends SimstreamError {
  constructor(
    readonly service: string,
    detail: string,
    readonly logTail: string,
  ) {
    const tail = logTail.trim() === '' ? '' : `\n--- last lines of its log ---\n${logTail.trimEnd()}`;
    super('INFRA_NOT_READY', `${service}: ${detail}${tail}`, { retriable: true });
  }
}

/** A downloaded or reused jar does not match the checksum in the committed lock list. */
export class ChecksumMismatchError extends SimstreamError {
  constructor(
    readonly artifact: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('INFRA_CHECKSUM_MISMATCH', `${artifact}: SHA-256 ${actual} does not match the locked ${expected}`);
  }
}

/** Fetching an artifact from the Maven repository failed. */
export class DownloadError extends SimstreamError {
  constructor(
    readonly url: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('INFRA_DOWNLOAD_FAILED', `download of ${url} failed: ${detail}`, {
      retriable: true,
      cause: options.cause,
    });
  }
}

/** The committed artifact lock list cannot be read. */
export class LockListError extends SimstreamError {
  constructor(detail: string) {
    super('INFRA_LOCK_LIST_INVALID', `artifacts.lock: ${detail}`);
  }
}

/** A helper command (initdb, the Kafka storage tool, apt-get) failed. */
export class CommandFailedError extends SimstreamError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    const tail = output.trim() === '' ? '' : `\n${output.trimEnd().split('\n').slice(-20).join('\n')}`;
    super('INFRA_COMMAND_FAILED', `\`${command}\` exited with ${exitCode ?? 'a signal'}${tail}`);
  }
}

/** Another `infra` invocation holds a service's lock for too long. */
export class BusyError extends SimstreamError {
  constructor(
    readonly service: string,
    readonly holderPid: number,
  ) {
    super('INFRA_BUSY', `${service}: another infra command (pid ${holderPid}) is working on it; try again`, {
      retriable: true,
    });
  }
}
