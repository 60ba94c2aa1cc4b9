// Original file: proto/simstream/v1/ingestion.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetStatusRequest as _simstream_v1_GetStatusRequest, GetStatusRequest__Output as _simstream_v1_GetStatusRequest__Output } from '../../simstream/v1/GetStatusRequest.js';
import type { GetStatusResponse as _simstream_v1_GetStatusResponse, GetStatusResponse__Output as _simstream_v1_GetStatusResponse__Output } from '../../simstream/v1/GetStatusResponse.js';
import type { IngestBatchRequest as _simstream_v1_IngestBatchRequest, IngestBatchRequest__Output as _simstream_v1_IngestBatchRequest__Output } from '../../simstream/v1/IngestBatchRequest.js';
import type { IngestBatchResponse as _simstream_v1_IngestBatchResponse, IngestBatchResponse__Output as _simstream_v1_IngestBatchResponse__Output } from '../../simstream/v1/IngestBatchResponse.js';
import type { StreamFramesRequest as _simstream_v1_StreamFramesRequest, StreamFramesRequest__Output as _simstream_v1_StreamFramesRequest__Output } from '../../simstream/v1/StreamFramesRequest.js';
import type { StreamFramesResponse as _simstream_v1_StreamFramesResponse, StreamFramesResponse__Output as _simstream_v1_StreamFramesResponse__Output } from '../../simstream/v1/StreamFramesResponse.js';

export interface IngestionServiceClient extends grpc.Client {
  GetStatus(argument: _simstream_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _simstream_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _simstream_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _simstream_v1_GetStatusRequest, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _simstream_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _simstream_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _simstream_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _simstream_v1_GetStatusRequest, callback: grpc.requestCallback<_simstream_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  
  IngestBatch(argument: _simstream_v1_IngestBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  IngestBatch(argument: _simstream_v1_IngestBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  IngestBatch(argument: _simstream_v1_IngestBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  IngestBatch(argument: _simstream_v1_IngestBatchRequest, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  ingestBatch(argument: _simstream_v1_IngestBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  ingestBatch(argument: _simstream_v1_IngestBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  ingestBatch(argument: _simstream_v1_IngestBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  ingestBatch(argument: _simstream_v1_IngestBatchRequest, callback: grpc.requestCallback<_simstream_v1_IngestBatchResponse__Output>): grpc.ClientUnaryCall;
  
  StreamFrames(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_simstream_v1_StreamFramesRequest, _simstream_v1_StreamFramesResponse__Output>;
  StreamFrames(options?: grpc.CallOptions): grpc.ClientDuplexStream<_simstream_v1_StreamFramesRequest, _simstream_v1_StreamFramesResponse__Output>;
  streamFrames(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_simstream_v1_StreamFramesRequest, _simstream_v1_StreamFramesResponse__Output>;
  streamFrames(options?: grpc.CallOptions): grpc.ClientDuplexStream<_simstream_v1_StreamFramesRequest, _simstream_v1_StreamFramesResponse__Output>;
  
}

export interface IngestionServiceHandlers extends grpc.UntypedServiceImplementation {
  GetStatus: grpc.handleUnaryCall<_simstream_v1_GetStatusRequest__Output, _simstream_v1_GetStatusResponse>;
  
  IngestBatch: grpc.handleUnaryCall<_simstream_v1_IngestBatchRequest__Output, _simstream_v1_IngestBatchResponse>;
  
  StreamFrames: grpc.handleBidiStreamingCall<_simstream_v1_StreamFramesRequest__Output, _simstream_v1_StreamFramesResponse>;
  
}

export interface IngestionServiceDefinition extends grpc.ServiceDefinition {
  GetStatus: MethodDefinition<_simstream_v1_GetStatusRequest, _simstream_v1_GetStatusResponse, _simstream_v1_GetStatusRequest__Output, _simstream_v1_GetStatusResponse__Output>
  IngestBatch: MethodDefinition<_simstream_v1_IngestBatchRequest, _simstream_v1_IngestBatchResponse, _simstream_v1_IngestBatchRequest__Output, _simstream_v1_IngestBatchResponse__Output>
  StreamFrames: MethodDefinition<_simstream_v1_StreamFramesRequest, _simstream_v1_StreamFramesResponse, _simstream_v1_StreamFramesRequest__Output, _simstream_v1_StreamFramesResponse__Output>
}
