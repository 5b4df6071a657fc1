/**
 * Snippet context `my-framework`: the imaginary framework of the adapter
 * example in docs/frameworks.md ("Writing an adapter for another
 * framework"). The block is compiled as if it were `project/test/<name>.ts`
 * of an app, so its `../src/my-adapter.js` is `project/src/my-adapter.ts`
 * and its `./support/redis-server.js` is `project/test/support/redis-server.ts`.
 */
declare module "my-framework" {
  import type { Server } from "node:http";

  /** A request as the framework hands it to handlers. */
  export interface MyRequest {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string | undefined>>;
  }
  /** The framework's ways to answer. */
  export interface MyResponse {
    json(body: unknown): void;
    /** Sets response headers. */
    set(headers: Readonly<Record<string, string>>): void;
    /** Sets the status code of the answer to come. */
    status(code: number): MyResponse;
    redirect(status: number, location: string): void;
    type(contentType: string): void;
    stream(chunks: AsyncIterable<string>): Promise<void>;
  }
  export type Handler = (req: MyRequest, res: MyResponse) => Promise<void> | void;
  export type Middleware = (req: MyRequest, res: MyResponse, next: () => Promise<void>) => Promise<void>;
  export interface MyApp {
    /** The node:http server the app runs on, not yet listening. */
    readonly server: Server;
    use(middleware: Middleware): void;
    route(method: string, path: string, handler: Handler): void;
  }
  export function myFramework(options?: { trustProxy?: boolean }): MyApp;
}
