// Original file: proto/simstream/v1/query.proto


export interface ArrowChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface ArrowChunk__Output {
  'data': (Buffer);
}
