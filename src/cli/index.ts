#!/usr/bin/env node
/**
 * The `tessera-session` operator CLI (the package's bin). See `tessera-session --help` and
 * docs/sessions-and-cli.md.
 *
 * @example
 * ```sh
 * npx tessera-session sessions --user 42 --redis-url redis://localhost:6379 --prefix myapp:
 * ```
 *
 * @module
 */
import { dropWritesOnClosedPipe } from "./closed-pipe.js";
import { exitOnInterrupt } from "./interrupt.js";
import { run } from "./program.js";

dropWritesOnClosedPipe(process.stdout);
dropWritesOnClosedPipe(process.stderr);
exitOnInterrupt();
const exitCode = await run(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
// A failing output stream may have set a failure code already; "done" must not hide it.
process.exitCode = exitCode === 0 ? (process.exitCode ?? 0) : exitCode;
