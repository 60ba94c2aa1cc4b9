/**
 * The upload format of a file by its extension, else by its first bytes (Avro's 'Obj\x01',
 * Arrow's continuation marker, JSON's opening brace), for callers that have no content type.
 */
import type { UploadFormat } from './upload-frame.js';

export function guessFormat(fileName: string, head: Uint8Array): UploadFormat | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'avro') return 'avro';
  if (ext === 'arrow' || ext === 'arrows' || ext === 'ipc') return 'arrow';
  if (head[0] === 0x4f && head[1] === 0x62 && head[2] === 0x6a && head[3] === 0x01) return 'avro';
  if (head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return 'arrow';
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
    i++;
  if (head[i] === 0x7b) return 'json';
  return undefined;
}
