import { usePageTitle } from '../../ui/usePageTitle';
import type { ThemePreference } from '../theme/theme';
import { useTheme } from '../theme/ThemeProvider';
import { SectionHeading } from './SettingsLayout';

const OPTIONS: { value: ThemePreference; label: string; description: string; swatch: string }[] = [
  { value: 'dark', label: 'Dark', description: 'Easy on the eyes, day and night.', swatch: 'bg-[#313338]' },
  { value: 'light', label: 'Light', description: 'Bright and crisp.', swatch: 'bg-white' },
  {
    value: 'system',
    label: 'Sync with computer',
    description: 'Follows your operating system.',
    swatch: 'bg-gradient-to-r from-white to-[#313338]',
  },
];

export default function AppearanceSettings() {
  usePageTitle('Appearance');
  const { preference, setPreference } = useTheme();
  return (
    <>
      <SectionHeading title="Appearance" description="Saved on this browser." />
      <fieldset>
        <legend className="mb-3 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Theme</legend>
        <div className="flex flex-col gap-2">
          {OPTIONS.map((option) => (
            <label
              key={option.value}
              className="flex cursor-pointer items-center gap-3 rounded-lg border border-transparent bg-side p-3 has-[:checked]:border-brand has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand dark:bg-side-dark"
            >
              <input
                type="radio"
                name="theme"
                value={option.value}
                checked={preference === option.value}
                onChange={() => setPreference(option.value)}
                className="size-4 accent-brand focus:outline-none"
              />
              <span aria-hidden="true" className={`size-8 rounded-full border border-zinc-400 ${option.swatch}`} />
              <span>
                <span className="block font-medium">{option.label}</span>
                <span className="block text-sm text-zinc-600 dark:text-zinc-400">{option.description}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
    </>
  );
}
