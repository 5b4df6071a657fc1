export {};
/**
 * The login example's session data, declared once for the whole app: every
 * adapter's `session.data` is typed from this.
 */
declare module "tessera-session" {
  interface SessionData {
    /** Set at login. */
    username: string;
    /** Pages viewed in this session. */
    visits: number;
  }
}


