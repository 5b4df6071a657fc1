// The option lists that reject unknown options (createSessionManager's,
// cookie's, CSRF's) are built with knownKeys, which the compiler holds to
// the options type both ways. An internal helper, so imported from src/.
import { knownKeys } from "../../src/core/known-keys.js";

interface GreetOptions {
  name?: string;
  loud: boolean;
}

const known: ReadonlySet<string> = knownKeys<GreetOptions>({ name: true, loud: true });
void known;

// @ts-expect-error: an option of the type left out of the list
knownKeys<GreetOptions>({ name: true });

// @ts-expect-error: a listed key the type does not have (stale or misspelled)
knownKeys<GreetOptions>({ name: true, loud: true, lowd: true });
