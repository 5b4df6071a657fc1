import { loginOptions } from "../../lib/login.js";

/** The load balancer's health check. */
export const GET = () => new Response(`ok ${loginOptions().instance}\n`);
