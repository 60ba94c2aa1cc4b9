/** The CLI's commands as functions (the demo and benchmarks call them). */
export { parseChange, type ParameterChange } from './changes.js';
export { simulate, type SimulateOptions, type SimulateProgress, type SimulateResult } from './simulate.js';
export { tail, describeRecord, type TailOptions } from './tail.js';
export { validateFile, formatReport, type ValidateReport, type ValidateOptions } from './validate.js';
