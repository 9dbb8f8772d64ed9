/** Debian's Chromium (apt package `chromium`); Playwright's own browser downloads are not used. */
export const chromiumPath = process.env.KAMACHAT_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
