import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ArrowChunk as _simstream_v1_ArrowChunk, ArrowChunk__Output as _simstream_v1_ArrowChunk__Output } from './simstream/v1/ArrowChunk.js';
import type { ExportArrowRequest as _simstream_v1_ExportArrowRequest, ExportArrowRequest__Output as _simstream_v1_ExportArrowRequest__Output } from './simstream/v1/ExportArrowRequest.js';
import type { FieldSummary as _simstream_v1_FieldSummary, FieldSummary__Output as _simstream_v1_FieldSummary__Output } from './simstream/v1/FieldSummary.js';
import type { FrameSummary as _simstream_v1_FrameSummary, FrameSummary__Output as _simstream_v1_FrameSummary__Output } from './simstream/v1/FrameSummary.js';
import type { GetSimulationRequest as _simstream_v1_GetSimulationRequest, GetSimulationRequest__Output as _simstream_v1_GetSimulationRequest__Output } from './simstream/v1/GetSimulationRequest.js';
import type { ListResultsRequest as _simstream_v1_ListResultsRequest, ListResultsRequest__Output as _simstream_v1_ListResultsRequest__Output } from './simstream/v1/ListResultsRequest.js';
import type { ListResultsResponse as _simstream_v1_ListResultsResponse, ListResultsResponse__Output as _simstream_v1_ListResultsResponse__Output } from './simstream/v1/ListResultsResponse.js';
import type { ListSimulationsRequest as _simstream_v1_ListSimulationsRequest, ListSimulationsRequest__Output as _simstream_v1_ListSimulationsRequest__Output } from './simstream/v1/ListSimulationsRequest.js';
import type { ListSimulationsResponse as _simstream_v1_ListSimulationsResponse, ListSimulationsResponse__Output as _simstream_v1_ListSimulationsResponse__Output } from './simstream/v1/ListSimulationsResponse.js';
import type { NeuromorphicOutput as _simstream_v1_NeuromorphicOutput, NeuromorphicOutput__Output as _simstream_v1_NeuromorphicOutput__Output } from './simstream/v1/NeuromorphicOutput.js';
import type { QuantumOutput as _simstream_v1_QuantumOutput, QuantumOutput__Output as _simstream_v1_QuantumOutput__Output } from './simstream/v1/QuantumOutput.js';
import type { QueryServiceClient as _simstream_v1_QueryServiceClient, QueryServiceDefinition as _simstream_v1_QueryServiceDefinition } from './simstream/v1/QueryService.js';
import type { Result as _simstream_v1_Result, Result__Output as _simstream_v1_Result__Output } from './simstream/v1/Result.js';
import type { Simulation as _simstream_v1_Simulation, Simulation__Output as _simstream_v1_Simulation__Output } from './simstream/v1/Simulation.js';
import type { TailResultsRequest as _simstream_v1_TailResultsRequest, TailResultsRequest__Output as _simstream_v1_TailResultsRequest__Output } from './simstream/v1/TailResultsRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  simstream: {
    v1: {
      ArrowChunk: MessageTypeDefinition<_simstream_v1_ArrowChunk, _simstream_v1_ArrowChunk__Output>
      ExportArrowRequest: MessageTypeDefinition<_simstream_v1_ExportArrowRequest, _simstream_v1_ExportArrowRequest__Output>
      FieldSummary: MessageTypeDefinition<_simstream_v1_FieldSummary, _simstream_v1_FieldSummary__Output>
      FrameSummary: MessageTypeDefinition<_simstream_v1_FrameSummary, _simstream_v1_FrameSummary__Output>
      GetSimulationRequest: MessageTypeDefinition<_simstream_v1_GetSimulationRequest, _simstream_v1_GetSimulationRequest__Output>
      ListResultsRequest: MessageTypeDefinition<_simstream_v1_ListResultsRequest, _simstream_v1_ListResultsRequest__Output>
      ListResultsResponse: MessageTypeDefinition<_simstream_v1_ListResultsResponse, _simstream_v1_ListResultsResponse__Output>
      ListSimulationsRequest: MessageTypeDefinition<_simstream_v1_ListSimulationsRequest, _simstream_v1_ListSimulationsRequest__Output>
      ListSimulationsResponse: MessageTypeDefinition<_simstream_v1_ListSimulationsResponse, _simstream_v1_ListSimulationsResponse__Output>
      NeuromorphicOutput: MessageTypeDefinition<_simstream_v1_NeuromorphicOutput, _simstream_v1_NeuromorphicOutput__Output>
      QuantumOutput: MessageTypeDefinition<_simstream_v1_QuantumOutput, _simstream_v1_QuantumOutput__Output>
      QueryService: SubtypeConstructor<typeof grpc.Client, _simstream_v1_QueryServiceClient> & { service: _simstream_v1_QueryServiceDefinition }
      Result: MessageTypeDefinition<_simstream_v1_Result, _simstream_v1_Result__Output>
      ResultKind: EnumTypeDefinition
      Simulation: MessageTypeDefinition<_simstream_v1_Simulation, _simstream_v1_Simulation__Output>
      TailResultsRequest: MessageTypeDefinition<_simstream_v1_TailResultsRequest, _simstream_v1_TailResultsRequest__Output>
    }
  }
}

