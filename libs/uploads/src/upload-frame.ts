/**
 * A frame as decoded from an upload body (JSON, Arrow or Avro), before ingestion validates it,
 * and its protobuf form for IngestBatch. The gateway checks only the body's structure; data
 * checks (shape against length, codecs, limits) are ingestion's, answered per frame.
 */
import { codecToProto, dtypeToProto, type Codec, type DType, type pb } from '@simstream/contracts';

export interface UploadField {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly codec: Codec;
  readonly data: Buffer;
}

export interface UploadFrame {
  readonly step: number;
  readonly simTime: number;
  readonly fields: readonly UploadField[];
  readonly attributes: Readonly<Record<string, string>>;
  /** The simulation the body names for this frame, if it names one (must be the path's). */
  readonly simulationId?: string;
}

export type UploadFormat = 'json' | 'arrow' | 'avro';

export function toProtoFrame(simulationId: string, frame: UploadFrame): pb.Frame {
  return {
    simulationId,
    step: frame.step,
    simTime: frame.simTime,
    attributes: { ...frame.attributes },
    fields: frame.fields.map((f) => ({
      name: f.name,
      dtype: dtypeToProto(f.dtype) as pb.Field['dtype'],
      shape: [...f.shape],
      codec: codecToProto(f.codec) as pb.Field['codec'],
      data: f.data,
    })),
  };
}

export function dataBytes(frame: UploadFrame): number {
  let bytes = 0;
  for (const f of frame.fields) bytes += f.data.length;
  return bytes;
}
