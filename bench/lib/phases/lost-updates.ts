import { sessionApps, type BenchContext } from "../context.js";
import { getText, login } from "../http.js";

export interface LostUpdateResult {
  readonly appId: string;
  readonly writers: number;
  /** Keys that survived, per trial. */
  readonly kept: readonly number[];
}

/**
 * Lost updates: W concurrent requests on one session, each setting its own
 * key (`GET /set?i=N`, one connection each), then how many keys the session
 * still has. A library that rewrites the whole session keeps only the last
 * writer's view.
 */
export async function lostUpdatesPhase(ctx: BenchContext): Promise<LostUpdateResult[]> {
  const { lostUpdateTrials: trials, lostUpdateWriters: writers } = ctx.plan;
  const results: LostUpdateResult[] = [];
  for (const app of sessionApps(ctx, "lost-updates")) {
    const kept: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const cookie = await login(app);
      await Promise.all(Array.from({ length: writers }, (_, i) => getText(app, `/set?i=${i}`, cookie)));
      kept.push((JSON.parse(await getText(app, "/keys", cookie)) as string[]).length);
    }
    results.push({ appId: app.spec.id, writers, kept });
    ctx.log(`lost updates ${app.spec.id.padEnd(18)} kept ${kept.join(", ")} of ${writers}`);
  }
  return results;
}
