import { useEffect } from 'react';
import { useGateway } from '../gateway/context';
import { watchForAway } from './awayDetector';

/** Tells the server when this device has had no input for 10 minutes, so an "online" user shows as idle. */
export function useAwayReporting() {
  const gateway = useGateway();
  useEffect(() => watchForAway(window, (away) => gateway.setAway(away)), [gateway]);
}
