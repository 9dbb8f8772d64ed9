import { NavLink, Outlet } from 'react-router';
import { useLogoutMutation } from '../auth/queries';

const SECTIONS = [
  {
    heading: 'User settings',
    links: [
      { to: 'profile', label: 'Profile' },
      { to: 'account', label: 'Account' },
    ],
  },
  {
    heading: 'Security',
    links: [
      { to: 'security', label: 'Password & 2FA' },
      { to: 'sessions', label: 'Sessions' },
      { to: 'privacy', label: 'Privacy & safety' },
    ],
  },
  {
    heading: 'App settings',
    links: [
      { to: 'notifications', label: 'Notifications' },
      { to: 'voice', label: 'Voice & Video' },
      { to: 'appearance', label: 'Appearance' },
    ],
  },
];

/** Settings: a section list on the left (a strip on top on small screens) and the chosen section. */
export default function SettingsLayout() {
  const logout = useLogoutMutation();
  return (
    <div className="flex min-w-0 flex-1 flex-col md:flex-row">
      <nav aria-label="Settings" className="shrink-0 bg-side p-3 md:w-60 md:overflow-y-auto md:py-10 dark:bg-side-dark">
        <ul className="flex gap-1 overflow-x-auto md:flex-col">
          {SECTIONS.map((section) => (
            <li key={section.heading} className="contents md:block">
              <h2 className="hidden px-2.5 pb-1 pt-3 text-xs font-bold uppercase tracking-wide text-zinc-600 md:block dark:text-zinc-400">
                {section.heading}
              </h2>
              <ul className="contents md:flex md:flex-col md:gap-0.5">
                {section.links.map((link) => (
                  <li key={link.to}>
                    <NavLink
                      to={link.to}
                      className={({ isActive }) =>
                        `block whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium ${
                          isActive
                            ? 'bg-zinc-300/70 text-zinc-900 dark:bg-zinc-600/50 dark:text-white'
                            : 'text-zinc-700 hover:bg-zinc-300/40 dark:text-zinc-300 dark:hover:bg-zinc-700/40'
                        }`
                      }
                    >
                      {link.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </li>
          ))}
          <li className="md:mt-3 md:border-t md:border-zinc-300 md:pt-3 dark:md:border-zinc-700">
            <button
              type="button"
              onClick={() => logout.mutate()}
              className="block w-full whitespace-nowrap rounded-md px-2.5 py-1.5 text-left text-sm font-medium text-red-700 hover:bg-red-500/10 dark:text-red-400"
            >
              Log out
            </button>
          </li>
        </ul>
      </nav>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 overflow-y-auto px-4 py-6 focus:outline-none md:px-10 md:py-10">
        <div className="max-w-2xl">
          <Outlet />
        </div>
      </main>
    </div>
  );
}

export function SectionHeading({ title, description }: { title: string; description?: string }) {
  return (
    <div className="mb-6">
      <h1 className="text-xl font-semibold">{title}</h1>
      {description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
    </div>
  );
}
