/** The errors of the gRPC plumbing (documented in docs/errors.md). */
import { SimstreamError } from '@simstream/errors';

/** A .proto file served by reflection cannot be found, parsed or described. */
export class ProtoSourceError extends SimstreamError {
  constructor(message: string, cause?: unknown) {
    super('PROTO_SOURCE_INVALID', message, { cause });
  }
}
