import type { APIRoute } from "astro";
import { loginHost } from "../lib/host.js";

export const GET: APIRoute = (context) => new Response(`ok ${loginHost(context).instance}\n`);
