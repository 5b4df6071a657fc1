import type { RequestHandler } from "@sveltejs/kit";
import { loginHost } from "../../lib/server/host.js";

export const GET: RequestHandler = (event) => new Response(`ok ${loginHost(event).instance}\n`);
