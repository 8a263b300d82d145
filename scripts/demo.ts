// `npm start`: the endpoint on localhost, with config.yaml's demo model answered by the
// bundled emulator of the agent runtime, so everything works without an AWS account.
import { main } from "../bin/cli.ts";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { startEmulator } from "../test/emulator/server.ts";

const emulator = await startEmulator();
console.log(`bedrock-agents-openai: emulator of Agents Classic and AgentCore on ${emulator.url}`);
const code = await main(process.argv.slice(2), {
  ...process.env,
  BEDROCK_EMULATOR_URL: emulator.url,
  // The demo harness hands the client's own tools back when a request offers some.
  BEDROCK_EMULATOR_HARNESS_URL: `${emulator.url}/scenario/tools`,
  EMULATOR_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  EMULATOR_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
});
if (code !== 0) {
  await emulator.close();
  process.exit(code);
}
