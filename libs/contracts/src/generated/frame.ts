import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Field as _simstream_v1_Field, Field__Output as _simstream_v1_Field__Output } from './simstream/v1/Field.js';
import type { Frame as _simstream_v1_Frame, Frame__Output as _simstream_v1_Frame__Output } from './simstream/v1/Frame.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  simstream: {
    v1: {
      Codec: EnumTypeDefinition
      DType: EnumTypeDefinition
      Field: MessageTypeDefinition<_simstream_v1_Field, _simstream_v1_Field__Output>
      Frame: MessageTypeDefinition<_simstream_v1_Frame, _simstream_v1_Frame__Output>
    }
  }
}

