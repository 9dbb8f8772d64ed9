import type { ReactNode } from 'react';
import { Logo } from '../../ui/Logo';

/** The centred card that login and signup share, over a soft backdrop. */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="flex min-h-full items-center justify-center bg-gradient-to-br from-indigo-200 via-zinc-100 to-sky-100 p-4 dark:from-[#1e1f4a] dark:via-rail-dark dark:to-[#16243a]">
      <main id="main" tabIndex={-1} className="w-full max-w-md rounded-xl bg-main p-8 shadow-2xl focus:outline-none dark:bg-main-dark">
        <div className="mb-6 flex flex-col items-center gap-3 text-center">
          <Logo className="size-12" />
          <h1 className="text-2xl font-semibold">{title}</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{subtitle}</p>
        </div>
        {children}
      </main>
    </div>
  );
}
