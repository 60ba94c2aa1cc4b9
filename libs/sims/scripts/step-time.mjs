// Solver speed of the simulations (ms per solver step), for the numbers in the package's report.
// Run after `pnpm exec tsc -b libs/sims`: node libs/sims/scripts/step-time.mjs [filter]
// CPU time is reported beside wall time because the machine is shared: it is the steadier figure.
import { createSimulation } from '../dist/index.js';

const cases = [
  ['gray-scott 256x256', 'gray-scott', { nx: 256, ny: 256 }, 400],
  ['gray-scott 512x512', 'gray-scott', { nx: 512, ny: 512 }, 100],
  ['lbm-cylinder 400x100', 'lbm-cylinder', { nx: 400, ny: 100 }, 200],
  ['lbm-cylinder 800x200', 'lbm-cylinder', { nx: 800, ny: 200 }, 50],
  ['lbm-cylinder 200x50', 'lbm-cylinder', { nx: 200, ny: 50, diameter: 8 }, 400],
];
const filter = process.argv[2] ?? '';
const rounds = 7;

for (const [name, kind, options, steps] of cases) {
  if (!name.includes(filter)) continue;
  const sim = createSimulation(kind, { ...options, substeps: 1 });
  sim.advance(steps); // warm up the JIT
  const cpu = [];
  const wall = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sim.advance(steps);
    wall.push((performance.now() - t0) / steps);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / steps);
  }
  // fields() is cached per step, so time it on fresh states.
  let fieldsMs = Infinity;
  for (let r = 0; r < 20; r++) {
    sim.advance(1);
    const t0 = performance.now();
    sim.fields();
    fieldsMs = Math.min(fieldsMs, performance.now() - t0);
  }
  cpu.sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  const median = (xs) => xs[Math.floor(xs.length / 2)];
  console.log(
    `${name.padEnd(22)} ms/step cpu min ${cpu[0].toFixed(3)} median ${median(cpu).toFixed(3)}` +
      ` | wall min ${wall[0].toFixed(3)} median ${median(wall).toFixed(3)} | fields() min ${fieldsMs.toFixed(3)} ms`,
  );
}
