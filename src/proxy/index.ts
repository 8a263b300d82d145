export { COST_HEADER, REQUEST_ID_HEADER, SESSION_HEADER, createApp, type AppOptions } from "./app.ts";
export {
  ConfigError,
  parseConfig,
  parseConfigJson,
  type ConfigOptions,
  type DeploymentParams,
  type LogFormat,
  type ModelDeployment,
  type ProxyConfig,
} from "./config.ts";
