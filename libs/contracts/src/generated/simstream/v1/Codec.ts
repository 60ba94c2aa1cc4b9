// Original file: proto/simstream/v1/frame.proto

export const Codec = {
  CODEC_NONE: 'CODEC_NONE',
  CODEC_DEFLATE: 'CODEC_DEFLATE',
  CODEC_GZIP: 'CODEC_GZIP',
} as const;

export type Codec =
  | 'CODEC_NONE'
  | 0
  | 'CODEC_DEFLATE'
  | 1
  | 'CODEC_GZIP'
  | 2

export type Codec__Output = typeof Codec[keyof typeof Codec]
