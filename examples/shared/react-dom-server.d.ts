// The part of react-dom/server the React Router entry uses: the repository
// installs react-dom but not @types/react-dom.
declare module "react-dom/server" {
  import type { ReactNode } from "react";
  export interface PipeableStream {
    pipe<W extends NodeJS.WritableStream>(destination: W): W;
    abort(reason?: unknown): void;
  }
  export function renderToPipeableStream(
    node: ReactNode,
    options?: { onAllReady?(): void; onShellReady?(): void; onShellError?(error: unknown): void; onError?(error: unknown): void },
  ): PipeableStream;
}
