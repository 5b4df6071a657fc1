#!/usr/bin/env node
/**
 * The `tessera` operator CLI (the package's bin). See `tessera --help` and
 * docs/sessions-and-cli.md.
 *
 * @example
 * ```sh
 * npx tessera sessions --user 42 --redis-url redis://localhost:6379 --prefix myapp:
 * ```
 *
 * @module
 */
import { run } from "./program.js";

process.exitCode = await run(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
