import { Outlet } from 'react-router';
import { AppSkeleton } from '../../ui/Skeleton';
import { VerifyEmailBanner } from '../account/VerifyEmailBanner';
import { useMe } from '../auth/queries';
import { ConnectionBanner, GatewayProvider } from '../gateway/GatewayProvider';
import { KeyboardNavigation } from '../navigation/KeyboardNavigation';
import { IncomingCall } from '../calls/IncomingCall';
import { VoicePanel } from '../voice/VoicePanel';
import { VoiceStage } from '../voice/VoiceStage';
import { DeviceIntegration } from './DeviceIntegration';
import { ServerRail } from './ServerRail';

/**
 * The signed-in frame: the gateway connection, the server rail on the left, then whatever the page puts next to
 * it (a sidebar and a main area): home with DMs, a server's channel, a DM, settings.
 */
export function AppShell() {
  const me = useMe();
  // The banners above the page depend on the account (unverified email): shown before it is known, the page would
  // jump down under the pointer when it arrives, and a click begun on one control would end on another. So the
  // frame waits for the account (the gateway connects meanwhile); a failed fetch shows the frame and its errors.
  const accountKnown = me.data !== undefined || me.isError || me.failureCount > 0;
  return (
    <GatewayProvider>
      <DeviceIntegration />
      <KeyboardNavigation />
      <IncomingCall />
      {accountKnown ? <Frame /> : <AppSkeleton />}
    </GatewayProvider>
  );
}

function Frame() {
  return (
    <div className="flex h-full flex-col overflow-hidden">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-brand px-4 py-2 text-white focus:not-sr-only focus:absolute focus:left-2 focus:top-2"
      >
        Skip to content
      </a>
      <VerifyEmailBanner />
      <ConnectionBanner />
      <VoiceStage />
      <div className="flex min-h-0 flex-1 overflow-hidden">
        <ServerRail />
        <Outlet />
      </div>
      {/* A phone's sidebar (where the panel sits) is folded away: joining showed nothing, not even why it failed. */}
      <VoicePanel className="md:hidden" />
    </div>
  );
}
