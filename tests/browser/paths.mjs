// Where the browser tests find Chromium (Debian's package; KOBAN_CHROMIUM overrides).
export const CHROMIUM = process.env.KOBAN_CHROMIUM || '/usr/bin/chromium';
