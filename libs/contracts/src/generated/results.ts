import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { FieldSummary as _simstream_v1_FieldSummary, FieldSummary__Output as _simstream_v1_FieldSummary__Output } from './simstream/v1/FieldSummary.js';
import type { FrameSummary as _simstream_v1_FrameSummary, FrameSummary__Output as _simstream_v1_FrameSummary__Output } from './simstream/v1/FrameSummary.js';
import type { NeuromorphicOutput as _simstream_v1_NeuromorphicOutput, NeuromorphicOutput__Output as _simstream_v1_NeuromorphicOutput__Output } from './simstream/v1/NeuromorphicOutput.js';
import type { QuantumOutput as _simstream_v1_QuantumOutput, QuantumOutput__Output as _simstream_v1_QuantumOutput__Output } from './simstream/v1/QuantumOutput.js';
import type { Result as _simstream_v1_Result, Result__Output as _simstream_v1_Result__Output } from './simstream/v1/Result.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  simstream: {
    v1: {
      FieldSummary: MessageTypeDefinition<_simstream_v1_FieldSummary, _simstream_v1_FieldSummary__Output>
      FrameSummary: MessageTypeDefinition<_simstream_v1_FrameSummary, _simstream_v1_FrameSummary__Output>
      NeuromorphicOutput: MessageTypeDefinition<_simstream_v1_NeuromorphicOutput, _simstream_v1_NeuromorphicOutput__Output>
      QuantumOutput: MessageTypeDefinition<_simstream_v1_QuantumOutput, _simstream_v1_QuantumOutput__Output>
      Result: MessageTypeDefinition<_simstream_v1_Result, _simstream_v1_Result__Output>
      ResultKind: EnumTypeDefinition
    }
  }
}

