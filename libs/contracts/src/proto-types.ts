/**
 * The generated protobuf types (see scripts/gen-proto-types.mjs) under short names, for the
 * services and clients. `X` is what you may send (all optional), `X__Output` what you receive.
 */
export type { Codec as ProtoCodec } from './generated/simstream/v1/Codec.js';
export type { DType as ProtoDType } from './generated/simstream/v1/DType.js';
export type {
  Field as ProtoField,
  Field__Output as ProtoFieldOutput,
} from './generated/simstream/v1/Field.js';
export type { FieldViolation as ProtoFieldViolation } from './generated/simstream/v1/FieldViolation.js';
export type {
  Frame as ProtoFrame,
  Frame__Output as ProtoFrameOutput,
} from './generated/simstream/v1/Frame.js';
export type {
  FrameAck as ProtoFrameAck,
  FrameAck__Output as ProtoFrameAckOutput,
} from './generated/simstream/v1/FrameAck.js';
export type {
  FrameRejected as ProtoFrameRejected,
  FrameRejected__Output as ProtoFrameRejectedOutput,
} from './generated/simstream/v1/FrameRejected.js';
export type {
  FrameResult,
  FrameResult__Output as FrameResultOutput,
} from './generated/simstream/v1/FrameResult.js';
export type {
  GetStatusRequest,
  GetStatusRequest__Output as GetStatusRequestOutput,
} from './generated/simstream/v1/GetStatusRequest.js';
export type {
  GetStatusResponse,
  GetStatusResponse__Output as GetStatusResponseOutput,
} from './generated/simstream/v1/GetStatusResponse.js';
export type {
  IngestBatchRequest,
  IngestBatchRequest__Output as IngestBatchRequestOutput,
} from './generated/simstream/v1/IngestBatchRequest.js';
export type {
  IngestBatchResponse,
  IngestBatchResponse__Output as IngestBatchResponseOutput,
} from './generated/simstream/v1/IngestBatchResponse.js';
export type {
  IngestionServiceClient,
  IngestionServiceHandlers,
  IngestionServiceDefinition,
} from './generated/simstream/v1/IngestionService.js';
export type { Limits, Limits__Output as LimitsOutput } from './generated/simstream/v1/Limits.js';
export type {
  OpenStream,
  OpenStream__Output as OpenStreamOutput,
} from './generated/simstream/v1/OpenStream.js';
export type {
  StreamFramesRequest,
  StreamFramesRequest__Output as StreamFramesRequestOutput,
} from './generated/simstream/v1/StreamFramesRequest.js';
export type {
  StreamFramesResponse,
  StreamFramesResponse__Output as StreamFramesResponseOutput,
} from './generated/simstream/v1/StreamFramesResponse.js';
export type {
  StreamOpened,
  StreamOpened__Output as StreamOpenedOutput,
} from './generated/simstream/v1/StreamOpened.js';
export type {
  AnalysisEvent,
  AnalysisEvent__Output as AnalysisEventOutput,
} from './generated/simstream/v1/AnalysisEvent.js';
export type {
  AnalysisEventKind,
  AnalysisEventKind__Output as AnalysisEventKindName,
} from './generated/simstream/v1/AnalysisEventKind.js';
export type {
  EventSubscription,
  EventSubscription__Output as EventSubscriptionOutput,
} from './generated/simstream/v1/EventSubscription.js';
