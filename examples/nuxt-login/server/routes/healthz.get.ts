import { defineEventHandler, setResponseHeader } from "h3";
import { loginOptions } from "../sessions.js";

export default defineEventHandler((event) => {
  setResponseHeader(event, "Content-Type", "text/plain; charset=utf-8");
  return `ok ${loginOptions.instance}\n`;
});
