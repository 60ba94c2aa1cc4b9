/**
 * How the CLI reaches ingestion: its address, TLS (the CA that signed ingestion's certificate,
 * or plaintext for a server started with GRPC_INSECURE=true) and the API key that proves the
 * tenant. Options fall back to SIMSTREAM_INGESTION, SIMSTREAM_API_KEY and SIMSTREAM_CA_FILE so a
 * key never has to appear on a command line (where `ps` shows it).
 */
import { Option, type Command } from 'commander';
import type { IngestionClientOptions } from '@simstream/client';

export interface ConnectionFlags {
  readonly ingestion: string;
  readonly apiKey?: string;
  readonly caFile?: string;
  readonly insecure?: boolean;
}

export function withConnectionOptions(command: Command): Command {
  return command
    .option(
      '-i, --ingestion <host:port>',
      'ingestion gRPC address',
      process.env.SIMSTREAM_INGESTION ?? '127.0.0.1:50051',
    )
    .addOption(new Option('--api-key <key>', 'API key (sk_…) or JWT of your tenant').env('SIMSTREAM_API_KEY'))
    .addOption(
      new Option('--ca-file <pem>', "CA certificate that signed ingestion's (default: system CAs)").env(
        'SIMSTREAM_CA_FILE',
      ),
    )
    .option('--insecure', 'plaintext gRPC, for a server run with GRPC_INSECURE=true (debugging only)');
}

export function clientOptions(flags: ConnectionFlags): IngestionClientOptions {
  return {
    address: flags.ingestion,
    ...(flags.apiKey === undefined ? {} : { apiKey: flags.apiKey }),
    ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
    ...(flags.insecure === true ? { insecure: true } : {}),
  };
}
