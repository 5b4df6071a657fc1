// The app-wide session shape, declared once by module augmentation; every
// adapter type test checks that handlers see it.
declare module "tessera" {
  interface SessionData {
    username: string;
    visits: number;
  }
}

/** A manager-level shape, for the generic route (`createSessionManager<CartData>()`). */
export interface CartData {
  items: Array<{ sku: string; qty: number }>;
}
