import { usePageTitle } from '../../ui/usePageTitle';
import { PasswordChangeForm } from '../account/PasswordChangeForm';
import { TwoFactorSettings } from '../account/TwoFactorSettings';
import { SectionHeading } from './SettingsLayout';

export default function SecuritySettings() {
  usePageTitle('Security settings');
  return (
    <>
      <SectionHeading title="Security" description="Your password and two-factor authentication." />
      <section aria-labelledby="password-heading" className="mb-10 flex flex-col gap-3">
        <h2 id="password-heading" className="text-base font-semibold">
          Change password
        </h2>
        <PasswordChangeForm />
      </section>
      <TwoFactorSettings />
    </>
  );
}
