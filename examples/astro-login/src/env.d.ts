// Astro's virtual modules (astro:middleware...), as `astro sync` would declare them.
/// <reference types="astro/client" />
