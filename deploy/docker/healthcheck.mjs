// Container health check of every simstream image: GET http://127.0.0.1:$OPS_PORT<path>
// (default /readyz), healthy on 2xx. Node's own fetch: the images carry no curl or wget.
const path = process.argv[2] ?? '/readyz';
const port = process.env.OPS_PORT ?? '9101';
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
