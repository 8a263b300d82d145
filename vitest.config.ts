import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// One test command, two runtimes: the library suite runs under Node and again inside
// workerd; tests that need Node (the emulator itself, the AWS SDK oracle) run under Node only.
const shared = ["test/library/**/*.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        extends: true,
        // worker/index.ts exports the Durable Object class, which extends the runtime's own module.
        resolve: { alias: { "cloudflare:workers": new URL("test/node/support/cloudflare-workers.ts", import.meta.url).pathname } },
        test: { name: "node", include: [...shared, "test/node/**/*.test.ts"] },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest({
            miniflare: {
              compatibilityDate: "2026-04-01",
              compatibilityFlags: ["nodejs_compat"],
            },
          }),
        ],
        test: { name: "workerd", include: shared },
      },
    ],
  },
});
