// Original file: proto/simstream/v1/query.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ArrowChunk as _simstream_v1_ArrowChunk, ArrowChunk__Output as _simstream_v1_ArrowChunk__Output } from '../../simstream/v1/ArrowChunk.js';
import type { ExportArrowRequest as _simstream_v1_ExportArrowRequest, ExportArrowRequest__Output as _simstream_v1_ExportArrowRequest__Output } from '../../simstream/v1/ExportArrowRequest.js';
import type { GetSimulationRequest as _simstream_v1_GetSimulationRequest, GetSimulationRequest__Output as _simstream_v1_GetSimulationRequest__Output } from '../../simstream/v1/GetSimulationRequest.js';
import type { ListResultsRequest as _simstream_v1_ListResultsRequest, ListResultsRequest__Output as _simstream_v1_ListResultsRequest__Output } from '../../simstream/v1/ListResultsRequest.js';
import type { ListResultsResponse as _simstream_v1_ListResultsResponse, ListResultsResponse__Output as _simstream_v1_ListResultsResponse__Output } from '../../simstream/v1/ListResultsResponse.js';
import type { ListSimulationsRequest as _simstream_v1_ListSimulationsRequest, ListSimulationsRequest__Output as _simstream_v1_ListSimulationsRequest__Output } from '../../simstream/v1/ListSimulationsRequest.js';
import type { ListSimulationsResponse as _simstream_v1_ListSimulationsResponse, ListSimulationsResponse__Output as _simstream_v1_ListSimulationsResponse__Output } from '../../simstream/v1/ListSimulationsResponse.js';
import type { Result as _simstream_v1_Result, Result__Output as _simstream_v1_Result__Output } from '../../simstream/v1/Result.js';
import type { Simulation as _simstream_v1_Simulation, Simulation__Output as _simstream_v1_Simulation__Output } from '../../simstream/v1/Simulation.js';
import type { TailResultsRequest as _simstream_v1_TailResultsRequest, TailResultsRequest__Output as _simstream_v1_TailResultsRequest__Output } from '../../simstream/v1/TailResultsRequest.js';

export interface QueryServiceClient extends grpc.Client {
  ExportArrow(argument: _simstream_v1_ExportArrowRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_ArrowChunk__Output>;
  ExportArrow(argument: _simstream_v1_ExportArrowRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_ArrowChunk__Output>;
  exportArrow(argument: _simstream_v1_ExportArrowRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_ArrowChunk__Output>;
  exportArrow(argument: _simstream_v1_ExportArrowRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_ArrowChunk__Output>;
  
  GetSimulation(argument: _simstream_v1_GetSimulationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  GetSimulation(argument: _simstream_v1_GetSimulationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  GetSimulation(argument: _simstream_v1_GetSimulationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  GetSimulation(argument: _simstream_v1_GetSimulationRequest, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  getSimulation(argument: _simstream_v1_GetSimulationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  getSimulation(argument: _simstream_v1_GetSimulationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  getSimulation(argument: _simstream_v1_GetSimulationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  getSimulation(argument: _simstream_v1_GetSimulationRequest, callback: grpc.requestCallback<_simstream_v1_Simulation__Output>): grpc.ClientUnaryCall;
  
  ListResults(argument: _simstream_v1_ListResultsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  ListResults(argument: _simstream_v1_ListResultsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  ListResults(argument: _simstream_v1_ListResultsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  ListResults(argument: _simstream_v1_ListResultsRequest, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  listResults(argument: _simstream_v1_ListResultsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  listResults(argument: _simstream_v1_ListResultsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  listResults(argument: _simstream_v1_ListResultsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  listResults(argument: _simstream_v1_ListResultsRequest, callback: grpc.requestCallback<_simstream_v1_ListResultsResponse__Output>): grpc.ClientUnaryCall;
  
  ListSimulations(argument: _simstream_v1_ListSimulationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  ListSimulations(argument: _simstream_v1_ListSimulationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  ListSimulations(argument: _simstream_v1_ListSimulationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  ListSimulations(argument: _simstream_v1_ListSimulationsRequest, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  listSimulations(argument: _simstream_v1_ListSimulationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  listSimulations(argument: _simstream_v1_ListSimulationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  listSimulations(argument: _simstream_v1_ListSimulationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  listSimulations(argument: _simstream_v1_ListSimulationsRequest, callback: grpc.requestCallback<_simstream_v1_ListSimulationsResponse__Output>): grpc.ClientUnaryCall;
  
  TailResults(argument: _simstream_v1_TailResultsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_Result__Output>;
  TailResults(argument: _simstream_v1_TailResultsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_Result__Output>;
  tailResults(argument: _simstream_v1_TailResultsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_Result__Output>;
  tailResults(argument: _simstream_v1_TailResultsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_Result__Output>;
  
}

export interface QueryServiceHandlers extends grpc.UntypedServiceImplementation {
  ExportArrow: grpc.handleServerStreamingCall<_simstream_v1_ExportArrowRequest__Output, _simstream_v1_ArrowChunk>;
  
  GetSimulation: grpc.handleUnaryCall<_simstream_v1_GetSimulationRequest__Output, _simstream_v1_Simulation>;
  
  ListResults: grpc.handleUnaryCall<_simstream_v1_ListResultsRequest__Output, _simstream_v1_ListResultsResponse>;
  
  ListSimulations: grpc.handleUnaryCall<_simstream_v1_ListSimulationsRequest__Output, _simstream_v1_ListSimulationsResponse>;
  
  TailResults: grpc.handleServerStreamingCall<_simstream_v1_TailResultsRequest__Output, _simstream_v1_Result>;
  
}

export interface QueryServiceDefinition extends grpc.ServiceDefinition {
  ExportArrow: MethodDefinition<_simstream_v1_ExportArrowRequest, _simstream_v1_ArrowChunk, _simstream_v1_ExportArrowRequest__Output, _simstream_v1_ArrowChunk__Output>
  GetSimulation: MethodDefinition<_simstream_v1_GetSimulationRequest, _simstream_v1_Simulation, _simstream_v1_GetSimulationRequest__Output, _simstream_v1_Simulation__Output>
  ListResults: MethodDefinition<_simstream_v1_ListResultsRequest, _simstream_v1_ListResultsResponse, _simstream_v1_ListResultsRequest__Output, _simstream_v1_ListResultsResponse__Output>
  ListSimulations: MethodDefinition<_simstream_v1_ListSimulationsRequest, _simstream_v1_ListSimulationsResponse, _simstream_v1_ListSimulationsRequest__Output, _simstream_v1_ListSimulationsResponse__Output>
  TailResults: MethodDefinition<_simstream_v1_TailResultsRequest, _simstream_v1_Result, _simstream_v1_TailResultsRequest__Output, _simstream_v1_Result__Output>
}
