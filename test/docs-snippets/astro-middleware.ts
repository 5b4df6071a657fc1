/**
 * Snippet context `astro-middleware`: an Astro project whose
 * src/middleware.ts imports `tessera-session/astro`, which declares
 * `App.Locals.session` for every file of the project, and Astro's virtual
 * modules (`astro:middleware`), as `astro sync` declares them.
 */
/// <reference types="astro/client" />
import type {} from "tessera-session/astro";
