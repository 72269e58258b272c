/**
 * The server's one entry for the rest of the program: what `uptake serve` and `uptake demo` need
 * to run the web app and API on a store. The command line imports nothing else of `src/server`
 * (issue #12 item 3); tests and benchmarks may reach further in (`buildServer`).
 */
export { parsePort, startServer, untilStopped, type ListenOptions } from './serve.ts';
