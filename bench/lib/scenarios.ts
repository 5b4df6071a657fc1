import type { AppSpec } from "./apps.js";

/** The request each bench scenario sends: an anonymous or logged-in `GET /`, and `GET /hit`, which writes. */
export const SCENARIO_PATHS = { anonymous: "/", read: "/", write: "/hit" } as const;
export type Scenario = keyof typeof SCENARIO_PATHS;

/**
 * A whole-number command-line option within `min`..`max`.
 *
 * @throws Error naming the option otherwise.
 *
 * @example
 * ```ts
 * const windows = integerOption("windows", values.windows, 1, 20);
 * ```
 */
export function integerOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: a whole number from ${min} to ${max}, got ${value}`);
  return n;
}

/**
 * One `<app id>:<scenario>` item of an `--apps` list, as the app's spec and the scenario.
 *
 * @throws Error for an unknown app or scenario.
 *
 * @example
 * ```ts
 * const { spec, scenario } = appScenario("tessera-koa:write", catalogue().apps);
 * ```
 */
export function appScenario(item: string, specs: readonly AppSpec[]): { spec: AppSpec; scenario: Scenario } {
  const [id, scenario] = item.split(":") as [string, string | undefined];
  const spec = specs.find((s) => s.id === id);
  if (!spec || scenario === undefined || !(scenario in SCENARIO_PATHS)) throw new Error(`--apps: ${item} is not <app id>:<anonymous|read|write>`);
  return { spec, scenario: scenario as Scenario };
}
