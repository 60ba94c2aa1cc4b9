import { defineConfig } from 'vitest/config';

// Three projects: unit (pure logic, fakes allowed, beside the code), integration (the real
// Kafka, Postgres, Redis and InfluxDB started by `pnpm infra up`, in top-level test/), and chaos
// (brokers of the 3-node Kafka cluster SIGKILLed mid-stream; `pnpm test:chaos`, outside `pnpm test`).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'libs/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'tools/*/src/**/*.test.ts',
            'bench/src/**/*.test.ts',
          ],
          pool: 'threads',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/chaos/**'],
          globalSetup: ['test/src/global-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          globalSetup: ['test/src/chaos-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          // Bounded: each scenario gives its streams 180 s and its reads 120 s at most.
          testTimeout: 480_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
