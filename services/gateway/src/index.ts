/** The gateway as a library (tests and the demo start it in-process). */
export { startGatewayService, type GatewayService } from './app.js';
export { loadGatewayConfig, GATEWAY_ENV, GATEWAY_ENV as SERVICE_ENV, type GatewayConfig } from './config.js';
export { generateApiKey, hashSecret, parseApiKey, SCOPES, type Scope } from '@simstream/auth';
export { FRAME_UPLOAD_SCHEMA } from '@simstream/uploads';
