/**
 * The server entry of the React Router apps here (the example and the
 * conformance fixture): React Router's default Node entry, rendering the
 * whole document before answering (`onAllReady`: these pages are small and
 * a document's status is then final), without JSX.
 */
// An ambient declaration, not a module: the programs that compile this file (the tests too) need it named.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./react-dom-server.d.ts" />
import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable } from "@react-router/node";
import { createElement } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { ServerRouter, type EntryContext } from "react-router";

/** How long a render may wait for its data before it is cut off. */
export const streamTimeout = 5_000;

/** Renders one document request (React Router calls it for every page). */
export default function handleRequest(request: Request, status: number, headers: Headers, routerContext: EntryContext): Promise<Response> | Response {
  if (request.method.toUpperCase() === "HEAD") return new Response(null, { status, headers });
  return new Promise((resolve, reject) => {
    let responseStatus = status;
    const { pipe, abort } = renderToPipeableStream(createElement(ServerRouter, { context: routerContext, url: request.url }), {
      onAllReady() {
        clearTimeout(timer);
        const body = new PassThrough();
        headers.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(createReadableStreamFromReadable(body), { headers, status: responseStatus }));
        pipe(body);
      },
      onShellError: reject,
      onError() {
        responseStatus = 500;
      },
    });
    const timer = setTimeout(abort, streamTimeout + 1000);
  });
}
