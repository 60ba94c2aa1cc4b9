/** The errors of the deployment checks (documented in docs/errors.md). */
import { SimstreamError } from '@simstream/errors';

/** A tool or schema set the checks need could not be installed (Go, pip or a download failed). */
export { ToolUnavailableError } from '@simstream/go-tools';

/**
 * An input of the checks cannot be read as what it must be: a manifest without kind, a compose
 * file without services, a service that exists but is not built or exports no SERVICE_ENV.
 */
export class DeployInputError extends SimstreamError {
  constructor(message: string, cause?: unknown) {
    super('DEPLOY_INPUT_INVALID', message, { cause });
  }
}
