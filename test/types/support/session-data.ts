// The app-wide session shape the adapter type tests share, declared once by
// module augmentation. It lives in a subfolder so the type-test runner does
// not check it as a test of its own; each adapter test imports it.
import "tessera-session";

declare module "tessera-session" {
  interface SessionData {
    username: string;
    visits: number;
  }
}

/** A manager-level shape, for the generic routes (`createSessionManager<CartData>()`). */
export interface CartData {
  items: Array<{ sku: string; qty: number }>;
}
