// Original file: proto/simstream/v1/quantum.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _simstream_v1_CancelJobRequest, CancelJobRequest__Output as _simstream_v1_CancelJobRequest__Output } from '../../simstream/v1/CancelJobRequest.js';
import type { GetJobRequest as _simstream_v1_GetJobRequest, GetJobRequest__Output as _simstream_v1_GetJobRequest__Output } from '../../simstream/v1/GetJobRequest.js';
import type { Job as _simstream_v1_Job, Job__Output as _simstream_v1_Job__Output } from '../../simstream/v1/Job.js';
import type { SolveRequest as _simstream_v1_SolveRequest, SolveRequest__Output as _simstream_v1_SolveRequest__Output } from '../../simstream/v1/SolveRequest.js';
import type { SolveUpdate as _simstream_v1_SolveUpdate, SolveUpdate__Output as _simstream_v1_SolveUpdate__Output } from '../../simstream/v1/SolveUpdate.js';
import type { SubmitJobRequest as _simstream_v1_SubmitJobRequest, SubmitJobRequest__Output as _simstream_v1_SubmitJobRequest__Output } from '../../simstream/v1/SubmitJobRequest.js';

export interface QuantumServiceClient extends grpc.Client {
  CancelJob(argument: _simstream_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _simstream_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _simstream_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _simstream_v1_CancelJobRequest, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _simstream_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _simstream_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _simstream_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _simstream_v1_CancelJobRequest, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  
  GetJob(argument: _simstream_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _simstream_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _simstream_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _simstream_v1_GetJobRequest, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _simstream_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _simstream_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _simstream_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _simstream_v1_GetJobRequest, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  
  Solve(argument: _simstream_v1_SolveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_SolveUpdate__Output>;
  Solve(argument: _simstream_v1_SolveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_SolveUpdate__Output>;
  solve(argument: _simstream_v1_SolveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_SolveUpdate__Output>;
  solve(argument: _simstream_v1_SolveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_simstream_v1_SolveUpdate__Output>;
  
  SubmitJob(argument: _simstream_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _simstream_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _simstream_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _simstream_v1_SubmitJobRequest, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _simstream_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _simstream_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _simstream_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _simstream_v1_SubmitJobRequest, callback: grpc.requestCallback<_simstream_v1_Job__Output>): grpc.ClientUnaryCall;
  
}

export interface QuantumServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelJob: grpc.handleUnaryCall<_simstream_v1_CancelJobRequest__Output, _simstream_v1_Job>;
  
  GetJob: grpc.handleUnaryCall<_simstream_v1_GetJobRequest__Output, _simstream_v1_Job>;
  
  Solve: grpc.handleServerStreamingCall<_simstream_v1_SolveRequest__Output, _simstream_v1_SolveUpdate>;
  
  SubmitJob: grpc.handleUnaryCall<_simstream_v1_SubmitJobRequest__Output, _simstream_v1_Job>;
  
}

export interface QuantumServiceDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_simstream_v1_CancelJobRequest, _simstream_v1_Job, _simstream_v1_CancelJobRequest__Output, _simstream_v1_Job__Output>
  GetJob: MethodDefinition<_simstream_v1_GetJobRequest, _simstream_v1_Job, _simstream_v1_GetJobRequest__Output, _simstream_v1_Job__Output>
  Solve: MethodDefinition<_simstream_v1_SolveRequest, _simstream_v1_SolveUpdate, _simstream_v1_SolveRequest__Output, _simstream_v1_SolveUpdate__Output>
  SubmitJob: MethodDefinition<_simstream_v1_SubmitJobRequest, _simstream_v1_Job, _simstream_v1_SubmitJobRequest__Output, _simstream_v1_Job__Output>
}
