/**
 * The React Router example's production build (`react-router build` into
 * examples/react-router-login/build), rebuilt only when its sources, the
 * shared pages or Tessera's dist changed.
 */
import { fileURLToPath } from "node:url";
import { ensureReactRouterBuilt } from "../shared/react-router-build.js";

/** Builds the React Router login example if needed; returns its server build's path. */
export function ensureBuilt(): Promise<string> {
  return ensureReactRouterBuilt(fileURLToPath(new URL(".", import.meta.url)), [
    fileURLToPath(new URL("../shared", import.meta.url)),
    fileURLToPath(new URL("../../dist", import.meta.url)),
  ]);
}
