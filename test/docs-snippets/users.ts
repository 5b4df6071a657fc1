/**
 * Snippet context `users`: the app's own user accounts, as login and
 * "Your sessions" fragments use them (`<!-- snippet: express sessions users -->`).
 */

/** A user account of the app. */
interface User {
  id: number;
  name: string;
}

declare global {
  /** the user logging in */
  const user: User;
  /** a user's id, as bound with `session.bindUser` */
  const userId: string;
  /** a session's public id, as listed by `listUserSessions` */
  const publicId: string;
  /** the app's password check */
  function checkPassword(username: unknown, password: unknown): Promise<User | undefined>;
  /** the app's device label, e.g. from a User-Agent parser */
  function describeDevice(userAgent: string | undefined): string;
}

export {};
