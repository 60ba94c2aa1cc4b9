import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AnalysisEvent as _simstream_v1_AnalysisEvent, AnalysisEvent__Output as _simstream_v1_AnalysisEvent__Output } from './simstream/v1/AnalysisEvent.js';
import type { EventSubscription as _simstream_v1_EventSubscription, EventSubscription__Output as _simstream_v1_EventSubscription__Output } from './simstream/v1/EventSubscription.js';
import type { Field as _simstream_v1_Field, Field__Output as _simstream_v1_Field__Output } from './simstream/v1/Field.js';
import type { FieldViolation as _simstream_v1_FieldViolation, FieldViolation__Output as _simstream_v1_FieldViolation__Output } from './simstream/v1/FieldViolation.js';
import type { Frame as _simstream_v1_Frame, Frame__Output as _simstream_v1_Frame__Output } from './simstream/v1/Frame.js';
import type { FrameAck as _simstream_v1_FrameAck, FrameAck__Output as _simstream_v1_FrameAck__Output } from './simstream/v1/FrameAck.js';
import type { FrameRejected as _simstream_v1_FrameRejected, FrameRejected__Output as _simstream_v1_FrameRejected__Output } from './simstream/v1/FrameRejected.js';
import type { FrameResult as _simstream_v1_FrameResult, FrameResult__Output as _simstream_v1_FrameResult__Output } from './simstream/v1/FrameResult.js';
import type { GetStatusRequest as _simstream_v1_GetStatusRequest, GetStatusRequest__Output as _simstream_v1_GetStatusRequest__Output } from './simstream/v1/GetStatusRequest.js';
import type { GetStatusResponse as _simstream_v1_GetStatusResponse, GetStatusResponse__Output as _simstream_v1_GetStatusResponse__Output } from './simstream/v1/GetStatusResponse.js';
import type { IngestBatchRequest as _simstream_v1_IngestBatchRequest, IngestBatchRequest__Output as _simstream_v1_IngestBatchRequest__Output } from './simstream/v1/IngestBatchRequest.js';
import type { IngestBatchResponse as _simstream_v1_IngestBatchResponse, IngestBatchResponse__Output as _simstream_v1_IngestBatchResponse__Output } from './simstream/v1/IngestBatchResponse.js';
import type { IngestionServiceClient as _simstream_v1_IngestionServiceClient, IngestionServiceDefinition as _simstream_v1_IngestionServiceDefinition } from './simstream/v1/IngestionService.js';
import type { Limits as _simstream_v1_Limits, Limits__Output as _simstream_v1_Limits__Output } from './simstream/v1/Limits.js';
import type { NeuromorphicEventDetail as _simstream_v1_NeuromorphicEventDetail, NeuromorphicEventDetail__Output as _simstream_v1_NeuromorphicEventDetail__Output } from './simstream/v1/NeuromorphicEventDetail.js';
import type { OpenStream as _simstream_v1_OpenStream, OpenStream__Output as _simstream_v1_OpenStream__Output } from './simstream/v1/OpenStream.js';
import type { PartitionEventDetail as _simstream_v1_PartitionEventDetail, PartitionEventDetail__Output as _simstream_v1_PartitionEventDetail__Output } from './simstream/v1/PartitionEventDetail.js';
import type { StreamFramesRequest as _simstream_v1_StreamFramesRequest, StreamFramesRequest__Output as _simstream_v1_StreamFramesRequest__Output } from './simstream/v1/StreamFramesRequest.js';
import type { StreamFramesResponse as _simstream_v1_StreamFramesResponse, StreamFramesResponse__Output as _simstream_v1_StreamFramesResponse__Output } from './simstream/v1/StreamFramesResponse.js';
import type { StreamOpened as _simstream_v1_StreamOpened, StreamOpened__Output as _simstream_v1_StreamOpened__Output } from './simstream/v1/StreamOpened.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  simstream: {
    v1: {
      AnalysisEvent: MessageTypeDefinition<_simstream_v1_AnalysisEvent, _simstream_v1_AnalysisEvent__Output>
      AnalysisEventKind: EnumTypeDefinition
      Codec: EnumTypeDefinition
      DType: EnumTypeDefinition
      EventSubscription: MessageTypeDefinition<_simstream_v1_EventSubscription, _simstream_v1_EventSubscription__Output>
      Field: MessageTypeDefinition<_simstream_v1_Field, _simstream_v1_Field__Output>
      FieldViolation: MessageTypeDefinition<_simstream_v1_FieldViolation, _simstream_v1_FieldViolation__Output>
      Frame: MessageTypeDefinition<_simstream_v1_Frame, _simstream_v1_Frame__Output>
      FrameAck: MessageTypeDefinition<_simstream_v1_FrameAck, _simstream_v1_FrameAck__Output>
      FrameRejected: MessageTypeDefinition<_simstream_v1_FrameRejected, _simstream_v1_FrameRejected__Output>
      FrameResult: MessageTypeDefinition<_simstream_v1_FrameResult, _simstream_v1_FrameResult__Output>
      GetStatusRequest: MessageTypeDefinition<_simstream_v1_GetStatusRequest, _simstream_v1_GetStatusRequest__Output>
      GetStatusResponse: MessageTypeDefinition<_simstream_v1_GetStatusResponse, _simstream_v1_GetStatusResponse__Output>
      IngestBatchRequest: MessageTypeDefinition<_simstream_v1_IngestBatchRequest, _simstream_v1_IngestBatchRequest__Output>
      IngestBatchResponse: MessageTypeDefinition<_simstream_v1_IngestBatchResponse, _simstream_v1_IngestBatchResponse__Output>
      IngestionService: SubtypeConstructor<typeof grpc.Client, _simstream_v1_IngestionServiceClient> & { service: _simstream_v1_IngestionServiceDefinition }
      Limits: MessageTypeDefinition<_simstream_v1_Limits, _simstream_v1_Limits__Output>
      NeuromorphicEventDetail: MessageTypeDefinition<_simstream_v1_NeuromorphicEventDetail, _simstream_v1_NeuromorphicEventDetail__Output>
      OpenStream: MessageTypeDefinition<_simstream_v1_OpenStream, _simstream_v1_OpenStream__Output>
      PartitionEventDetail: MessageTypeDefinition<_simstream_v1_PartitionEventDetail, _simstream_v1_PartitionEventDetail__Output>
      StreamFramesRequest: MessageTypeDefinition<_simstream_v1_StreamFramesRequest, _simstream_v1_StreamFramesRequest__Output>
      StreamFramesResponse: MessageTypeDefinition<_simstream_v1_StreamFramesResponse, _simstream_v1_StreamFramesResponse__Output>
      StreamOpened: MessageTypeDefinition<_simstream_v1_StreamOpened, _simstream_v1_StreamOpened__Output>
    }
  }
}

