/** @simstream/client: stream simulation frames to simstream from TypeScript. */
export { IngestionClient, type IngestionClientOptions, type FrameStreamCall } from './ingestion-client.js';
export { FrameUploader, UploadFailedError, type UploaderOptions } from './uploader.js';
export { prepareFrame, type ClientField, type ClientFrame, type PreparedFrame } from './frames.js';
export { EventInbox, eventName, type AnalysisEventName, type EventOptions } from './event-inbox.js';
