import type { ReactNode } from "react";

/** The layout of the example's React pages (the shared HTML pages come from route handlers). */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <main>{children}</main>
      </body>
    </html>
  );
}
