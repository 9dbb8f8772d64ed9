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
  // Notifications stay inside the browser, whatever session bus the machine has: with native ones Chromium hands them
  // to org.freedesktop.Notifications over D-Bus, and a CI machine whose bus starts (or hangs starting) a notification
  // daemon shows them late or never, so getNotifications() finds nothing. The only --disable-features: Chromium keeps
  // the last one given.
  '--disable-features=NativeNotifications',
];
