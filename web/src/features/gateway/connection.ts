import { HubConnectionBuilder, HubConnectionState, HttpTransportType, LogLevel, type HubConnection } from '@microsoft/signalr';
import type { QueryClient } from '@tanstack/react-query';
import { api, renewTokens, tokenStore, unwrap } from '../../api/client';
import { clientConfig } from '../../api/config';
import type { ReadState, UserSummary } from '../../api/types';
import { dmKeys } from '../dms/queries';
import { relationshipKeys } from '../friends/queries';
import { messageKeys } from '../messages/queries';
import { memberKeys } from '../servers/queries';
import { profileChanged } from '../users/liveProfiles';
import { userKeys } from '../users/queries';
import {
  applyEvent,
  applyServerView,
  applyVoiceState,
  HistoryLoads,
  seedFromReady,
  setReadState,
  type DmCalls,
  type EndedCalls,
  type Presences,
  type Typing,
  type VoiceStates,
} from './cache';
import { gatewayKeys } from './context';
import {
  MAX_RESUME_STREAMS,
  type GatewayEvent,
  type PresenceSignal,
  type ReadyPayload,
  type ResumeResult,
  type ServerView,
  type TypingSignal,
  type CallSignalReceived,
  type DmCallState,
  type VoiceEnded,
  type VoiceState,
} from './protocol';
import { deliver, StreamTracker } from './streams';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'restored';
/**
 * Voice signals: 'state' (anyone's VoiceState, once applied: never a stale one, see applyVoiceState), 'feeds' (media started or stopped in the channel, by id), 'ended'
 * (the server ended our call), 'ready' (a new connection's Ready: a call held by the old connection ended with it),
 * 'signal' (an offer, answer or candidates from another member of a peer-to-peer voice channel).
 */
export type VoiceListener = (
  ...signal:
    | [kind: 'state', payload: VoiceState]
    | [kind: 'feeds', channelId: string]
    | [kind: 'ended', payload: VoiceEnded]
    | [kind: 'ready']
    | [kind: 'signal', payload: CallSignalReceived]
) => void;
/** DM call signals: "state" (CallState), "signal" (CallSignal from another participant), "left" (CallLeft: moved to another device). */
export type CallListener = (
  e: { kind: 'state'; state: DmCallState } | { kind: 'signal'; signal: CallSignalReceived } | { kind: 'left'; channelId: string },
) => void;

/** The presence a user chooses (the gateway's SetPresence); others see 'invisible' as offline. */
export type ChosenStatus = 'online' | 'idle' | 'dnd' | 'invisible';
export const CHOSEN_STATUSES: readonly ChosenStatus[] = ['online', 'idle', 'dnd', 'invisible'];

/** Waits before each reconnect attempt: quick at first (a server restart, a blip), then easing off to 15 s. */
const RETRY_DELAYS = [0, 500, 1000, 2000, 3000, 5000, 5000, 10_000, 15_000];
const retryDelay = (attempt: number) => RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]!;

function claims(token: string): { exp: number; iat: number } {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: number;
      iat?: number;
      nbf?: number;
    };
    return { exp: (payload.exp ?? 0) * 1000, iat: (payload.iat ?? payload.nbf ?? 0) * 1000 };
  } catch {
    return { exp: 0, iat: 0 };
  }
}

/**
 * The token to connect with. The server closes a connection when its token expires, so a long-lived token (the
 * normal 15 minutes) is renewed once it is near its end. Very short-lived tokens (the e2e refresh spec's server issues 1-second
 * ones) are used while the server still accepts them (it allows 30 s of clock skew) and renewed through an
 * ordinary API call only once it refuses them: renewing on every reconnect would rotate the refresh token every
 * second and race with page loads.
 */
async function freshAccessToken(): Promise<string> {
  const tokens = tokenStore.get();
  if (!tokens) return '';
  const { exp, iat } = claims(tokens.accessToken);
  const now = Date.now();
  if (exp - iat >= 120_000) {
    if (exp - now > 30_000) return tokens.accessToken;
    const next = await renewTokens().catch(() => null);
    return next?.accessToken ?? tokenStore.get()?.accessToken ?? '';
  }
  if (now < exp + 38_000) return tokens.accessToken;
  // Any authenticated call renews the pair once the server calls the token expired.
  await api.GET('/api/v1/users/@me').catch(() => undefined);
  return tokenStore.get()?.accessToken ?? '';
}

/**
 * The one gateway connection: follows the delivery contract (streams.ts) and patches the TanStack Query cache
 * (cache.ts). Reconnects with backoff forever while signed in; resumes after every reconnect and on every gap.
 */
export class GatewayClient {
  private readonly tracker = new StreamTracker();
  /** Channel histories being loaded over REST, so that events arriving meanwhile are not lost (cache.ts). */
  readonly loads = new HistoryLoads();
  private connection: HubConnection | null = null;
  private voiceListeners = new Set<VoiceListener>();
  /** Kept across Readys: a stale signal can still arrive after one. */
  private readonly endedCalls: EndedCalls = new Map();
  private callListeners = new Set<CallListener>();
  private readyOnce = false;
  private resuming: Promise<void> | null = null;
  private resumeAgain = false;
  private stopped = false;
  private freshReadyTimer: ReturnType<typeof setTimeout> | null = null;
  private restarting = false;
  private myId: string | undefined;
  /** When we last told a channel we are typing. */
  private readonly typingSentAt = new Map<string, number>();
  private listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: GatewayEvent) => void>();
  /** The last server view per server, applied again over a Ready that may be older (by its server cursor). */
  private readonly views = new Map<string, ServerView>();
  status: ConnectionStatus = 'connecting';
  /** When the next reconnect attempt starts (ms since the epoch), while disconnected and waiting for it. */
  private retryAt: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Attempts since the last connection that worked (the first connection and restarts; SignalR counts its own). */
  private attempts = 0;
  /** Our own chosen presence, from Ready and our SetPresence calls. */
  private chosen: ChosenStatus = 'online';
  /** A presence asked for while disconnected: set once connected. */
  private wantedStatus: ChosenStatus | null = null;
  /** Our person has given no input for a while (features/status); a new connection starts active, so it is re-sent. */
  private away = false;
  /** The member list's watch (WatchPresences); a new connection watches nothing, so it is sent again after each Ready. */
  private watch: { serverId: string; userIds: string[] } | null = null;

  constructor(private readonly qc: QueryClient) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getStatus = () => this.status;

  /** When the next reconnect attempt starts, while one is waiting (subscribe tells of changes). */
  getRetryAt = () => this.retryAt;

  /** Our chosen presence (subscribe tells of changes too). */
  getChosenStatus = () => this.chosen;

  /** Who we are, once Ready has said. */
  get userId(): string | undefined {
    return this.myId;
  }

  /**
   * Hears every event once it is applied to the cache: once per event, in each stream's order, live or through
   * Resume (notifications, the app badge). Returns the function that stops listening.
   */
  onEvent(listener: (event: GatewayEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Whether the first Ready has arrived (until then the server list is not known). */
  get ready() {
    return this.readyOnce;
  }

  private setStatus(status: ConnectionStatus) {
    this.status = status;
    if (status === 'connected' || status === 'restored') {
      this.retryAt = null;
      this.attempts = 0;
    }
    this.listeners.forEach((l) => l());
  }

  /** Connects again after `delay` ms, and says when. */
  private retryIn(connection: HubConnection, delay: number) {
    clearTimeout(this.retryTimer);
    this.retryAt = Date.now() + delay;
    this.setStatus('reconnecting');
    this.retryTimer = setTimeout(() => void this.connect(connection), delay);
  }

  start() {
    this.stopped = false;
    const connection = new HubConnectionBuilder()
      .withUrl(clientConfig.hubUrl, {
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
        accessTokenFactory: freshAccessToken,
      })
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (ctx) => {
          const delay = retryDelay(ctx.previousRetryCount);
          this.retryAt = Date.now() + delay;
          // Not from inside SignalR's own callback: listeners may call back into the client.
          setTimeout(() => this.listeners.forEach((l) => l()), 0);
          return delay;
        },
      })
      .configureLogging(LogLevel.None)
      .build();
    this.connection = connection;
    connection.on('Ready', (ready: ReadyPayload) => this.onReady(ready));
    connection.on('Event', (event: GatewayEvent) => this.onEvents([event]));
    connection.on('ServerView', (view: ServerView) => this.onServerView(view));
    connection.on('Typing', (t: TypingSignal) => this.onTyping(t));
    connection.on('Presence', (p: PresenceSignal) =>
      this.qc.setQueryData<Presences>(gatewayKeys.presences, (old) => ({ ...old, [p.userId]: p.status })),
    );
    // Someone we show changed their name or picture: what shows them reads the live profile; their card refetches.
    connection.on('UserUpdated', (profile: UserSummary) => {
      profileChanged(profile);
      void this.qc.invalidateQueries({ queryKey: userKeys.profile(profile.id) });
      if (this.qc.getQueryData<{ id: string }>(userKeys.me)?.id === profile.id) void this.qc.invalidateQueries({ queryKey: userKeys.me });
    });
    connection.on('VoiceState', (v: VoiceState) => {
      const next = applyVoiceState(this.qc.getQueryData<VoiceStates>(gatewayKeys.voiceStates) ?? {}, this.endedCalls, v);
      if (!next) return;
      this.qc.setQueryData<VoiceStates>(gatewayKeys.voiceStates, next);
      this.voiceListeners.forEach((l) => l('state', v));
    });
    connection.on('VoiceFeeds', (channelId: string) => this.voiceListeners.forEach((l) => l('feeds', channelId)));
    connection.on('VoiceEnded', (ended: VoiceEnded) => this.voiceListeners.forEach((l) => l('ended', ended)));
    connection.on('VoiceSignal', (signal: CallSignalReceived) => this.voiceListeners.forEach((l) => l('signal', signal)));
    connection.on('CallState', (state: DmCallState) => {
      this.qc.setQueryData<DmCalls>(gatewayKeys.calls, (old) => {
        const next = { ...old };
        if (state.ended) delete next[state.channelId];
        else next[state.channelId] = state;
        return next;
      });
      this.callListeners.forEach((l) => l({ kind: 'state', state }));
    });
    connection.on('CallSignal', (signal: CallSignalReceived) => this.callListeners.forEach((l) => l({ kind: 'signal', signal })));
    connection.on('CallLeft', (channelId: string) => this.callListeners.forEach((l) => l({ kind: 'left', channelId })));
    connection.onreconnecting(() => this.setStatus('reconnecting'));
    connection.onreconnected(() => this.setStatus('restored'));
    // Automatic reconnect gives up after its schedule, and never covers a first connection that failed: go again.
    connection.onclose(() => {
      if (!this.stopped && !this.restarting && this.connection === connection)
        this.retryIn(connection, Math.max(2000, retryDelay(this.attempts++)));
    });
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    void this.connect(connection);
  }

  /** The browser knows before the socket does (which can take the 30 s server timeout): close and wait. */
  private onOffline = () => this.restart(() => (navigator.onLine ? 0 : 5000));

  /**
   * The machine woke from sleep or changed networks (the desktop app hears of both): a socket from before may be
   * dead without knowing it for another 30 s. Start over now; the new connection resumes from our cursors.
   */
  reconnectNow() {
    this.restart(() => 0);
  }

  /** "Retry now": connects at once instead of waiting for the next attempt. */
  retryNow() {
    const connection = this.connection;
    if (!connection || this.stopped) return;
    if (connection.state === HubConnectionState.Disconnected) void this.connect(connection);
    else if (connection.state === HubConnectionState.Reconnecting) this.restart(() => 0);
  }

  private restart(delay: () => number) {
    const connection = this.connection;
    if (!connection || this.stopped) return;
    this.setStatus('reconnecting');
    this.restarting = true;
    void connection.stop().finally(() => {
      this.restarting = false;
      this.retryIn(connection, delay());
    });
  }

  private onOnline = () => {
    const connection = this.connection;
    if (connection && !this.stopped) void this.connect(connection);
  };

  private async connect(connection: HubConnection) {
    if (this.stopped || this.connection !== connection || connection.state !== HubConnectionState.Disconnected) return;
    // One attempt at a time: a waiting retry is this one now (when the browser is back online, or Retry now).
    clearTimeout(this.retryTimer);
    if (this.retryAt !== null) {
      this.retryAt = null;
      this.listeners.forEach((l) => l());
    }
    try {
      await connection.start();
    } catch {
      // (Another attempt may have started this one's connection meanwhile.)
      if (!this.stopped && this.connection === connection && connection.state === HubConnectionState.Disconnected)
        this.retryIn(connection, Math.max(2000, retryDelay(this.attempts++)));
    }
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    const connection = this.connection;
    this.connection = null;
    await connection?.stop();
  }

  private onReady(ready: ReadyPayload) {
    this.myId = ready.user.id;
    const status = CHOSEN_STATUSES.find((s) => s === ready.status);
    if (status && status !== this.chosen) {
      this.chosen = status;
      this.listeners.forEach((l) => l());
    }
    const wanted = this.wantedStatus;
    // Not from inside the hub's receive callback (it would wait on itself).
    if (wanted && wanted !== this.chosen) setTimeout(() => void this.setPresence(wanted), 0);
    this.wantedStatus = null;
    if (this.away) setTimeout(() => void this.sendAway(), 0);
    if (this.watch) setTimeout(() => void this.sendWatch(), 0);
    seedFromReady(this.qc, ready);
    this.reapplyViews(ready);
    if (!this.readyOnce) {
      this.readyOnce = true;
      this.tracker.seed(ready.cursors);
      this.setStatus('connected');
    } else {
      if (this.status !== 'connected') this.setStatus('restored');
      this.catchUpAfter(ready);
      setTimeout(() => this.voiceListeners.forEach((l) => l('ready')), 0);
    }
  }

  /** Our channels and permissions in a server changed (a role, an overwrite, our roles): applied in place, no fresh Ready. */
  private onServerView(view: ServerView) {
    this.views.set(view.serverId, view);
    const change = applyServerView(this.qc, view);
    // A channel's stream starts over: one shown again must not wait for events from before it was hidden.
    for (const id of [...change.hidden, ...change.shown]) this.tracker.forget('channel', id);
    // A voice call joins again with what it may now send (SPEAK, VIDEO): its controls follow the change.
    if (change.voice) setTimeout(() => this.voiceListeners.forEach((l) => l('ready')), 0);
  }

  /** A view that arrived around a Ready and is newer than it (its server cursor) is applied again over it. */
  private reapplyViews(ready: ReadyPayload) {
    for (const [serverId, view] of this.views) {
      if (view.sequence > (ready.cursors.servers?.[serverId] ?? Number.MAX_SAFE_INTEGER)) applyServerView(this.qc, view);
      else this.views.delete(serverId);
    }
  }

  /**
   * After a Ready other than the first (a new connection's, or a refresh's): keep our cursors (its own may be past
   * events we have not applied) and fill the gap with Resume.
   */
  private catchUpAfter(ready: ReadyPayload) {
    this.tracker.seed(ready.cursors, true);
    setTimeout(() => void this.resume(), 0);
  }

  private onEvents(events: GatewayEvent[]) {
    const { gap } = deliver(this.tracker, events, (event) => {
      applyEvent(this.qc, event, { myId: () => this.myId, needFreshReady: () => this.scheduleFreshReady(), loads: this.loads });
      if (event.type === 'ServerRemoved' || event.type === 'ServerDeleted') {
        const { serverId } = JSON.parse(event.data) as { serverId: string };
        this.tracker.forget('server', serverId);
      }
      this.eventListeners.forEach((listener) => listener(event));
    });
    // Not awaited inside the handler: invoking the hub from its own receive callback would wait on itself.
    if (gap) setTimeout(() => void this.resume(), 0);
  }

  /** Calls Resume with our cursors; one at a time, and once more if asked while running. */
  resume(): Promise<void> {
    if (this.resuming) {
      this.resumeAgain = true;
      return this.resuming;
    }
    this.resuming = (async () => {
      do {
        this.resumeAgain = false;
        const connection = this.connection;
        if (!connection || connection.state !== HubConnectionState.Connected) return;
        try {
          for (const cursors of this.tracker.toResumeBatches(MAX_RESUME_STREAMS)) {
            const result = await connection.invoke<ResumeResult>('Resume', cursors);
            this.onEvents(result.events);
            for (const stream of result.refetch) this.refetch(stream.scope, stream.scopeId);
          }
        } catch (error) {
          // The server limits what Resume may cost an account: try again when it says. Otherwise the connection went
          // away, and the reconnect resumes again.
          const wait = rateLimitedFor(error);
          if (wait !== null) setTimeout(() => void this.resume(), wait);
          return;
        }
      } while (this.resumeAgain);
    })().finally(() => {
      this.resuming = null;
    });
    return this.resuming;
  }

  private refetch(scope: string, scopeId: string) {
    if (scope === 'channel') {
      this.tracker.forget('channel', scopeId);
      void this.qc.invalidateQueries({ queryKey: messageKeys.list(scopeId) });
    } else {
      this.tracker.forget(scope, scopeId);
      this.scheduleFreshReady();
      void this.qc.invalidateQueries({ queryKey: dmKeys.list });
      if (scope === 'server') void this.qc.invalidateQueries({ queryKey: memberKeys.list(scopeId) });
      if (scope === 'user') void this.qc.invalidateQueries({ queryKey: relationshipKeys.list });
    }
  }

  /**
   * Asks for a fresh Ready (our servers, channels and permissions) after events said they changed, on this connection,
   * then resumes from our cursors as after a reconnect. Not by reconnecting: that would end a DM call and flash our
   * presence for every role edit in every server we are in. While not connected there is nothing to do: the next
   * connection's Ready is fresh.
   */
  scheduleFreshReady() {
    if (this.freshReadyTimer) return;
    this.freshReadyTimer = setTimeout(() => {
      this.freshReadyTimer = null;
      const connection = this.connection;
      if (!connection || this.stopped || connection.state !== HubConnectionState.Connected) return;
      connection.invoke<ReadyPayload>('Refresh').then(
        (ready) => {
          if (this.connection !== connection || connection.state !== HubConnectionState.Connected) return;
          seedFromReady(this.qc, ready);
          this.reapplyViews(ready);
          this.catchUpAfter(ready);
          // A voice call joins again with what it may now send (SPEAK, VIDEO): its controls follow the change.
          setTimeout(() => this.voiceListeners.forEach((l) => l('ready')), 0);
        },
        (error: unknown) => {
          // A fresh start costs the server what a connect does, and shares its budget: when refused, ask again later.
          const wait = rateLimitedFor(error);
          if (wait !== null) setTimeout(() => this.scheduleFreshReady(), wait);
        },
      );
    }, 150);
  }

  /** Shows who types until their signal expires (or their message arrives, cache.ts), then forgets them. */
  private onTyping(t: TypingSignal) {
    if (t.userId === this.myId) return;
    const key = gatewayKeys.typing(t.channelId);
    const until = Math.min(new Date(t.expiresAt).getTime(), Date.now() + 8000);
    this.qc.setQueryData<Typing>(key, (old) => ({ ...old, [t.userId]: until }));
    setTimeout(
      () => {
        this.qc.setQueryData<Typing>(key, (old) => {
          if (old?.[t.userId] !== until) return old; // renewed, or already ended by their message
          const { [t.userId]: _, ...rest } = old;
          return rest;
        });
      },
      Math.max(0, until - Date.now()),
    );
  }

  // Hub calls for the UI; they fail quietly while disconnected.

  /** Tells the others we are typing in a channel: one signal per 5 s is enough (they show it for 8 s). */
  typing(channelId: string) {
    const now = Date.now();
    if (now - (this.typingSentAt.get(channelId) ?? 0) <= 5000) return;
    this.typingSentAt.set(channelId, now);
    void this.startTyping(channelId).then((sent) => {
      // Not sent (reconnecting): the next key tries again.
      if (!sent) this.typingSentAt.delete(channelId);
    });
  }

  /** Our message ended the indicator on the other side: the next key signals again at once. */
  typingEnded(channelId: string) {
    this.typingSentAt.delete(channelId);
  }

  private async startTyping(channelId: string): Promise<boolean> {
    if (this.connection?.state !== HubConnectionState.Connected) return false;
    return this.connection.invoke('StartTyping', channelId).then(
      () => true,
      () => false,
    );
  }

  /** Sets our presence for everyone who can see it; while reconnecting, as soon as the connection is back. */
  async setPresence(status: ChosenStatus): Promise<boolean> {
    if (this.connection?.state !== HubConnectionState.Connected) {
      this.wantedStatus = status;
      return false;
    }
    const done = await this.connection.invoke('SetPresence', status).then(
      () => true,
      () => false,
    );
    if (done && this.chosen !== status) {
      this.chosen = status;
      this.listeners.forEach((l) => l());
    }
    return done;
  }

  /**
   * Follows these members' presence in a server's member list and stores what it is now; replaces the last watch. In a
   * large server presence reaches only those who watch (the server's other members would be millions of messages).
   */
  async watchPresences(serverId: string, userIds: string[]): Promise<void> {
    this.watch = { serverId, userIds };
    await this.sendWatch();
  }

  /** Ends the watch of this server's member list, if it is still the current one. */
  unwatchPresences(serverId: string) {
    if (this.watch?.serverId !== serverId) return;
    this.watch = null;
    if (this.connection?.state === HubConnectionState.Connected)
      this.connection.invoke('WatchPresences', serverId, []).catch(() => undefined);
  }

  private async sendWatch() {
    const watch = this.watch;
    if (!watch || this.connection?.state !== HubConnectionState.Connected) return;
    const now = await this.connection.invoke<PresenceSignal[]>('WatchPresences', watch.serverId, watch.userIds).catch(() => null);
    if (!now || this.watch !== watch) return;
    this.qc.setQueryData<Presences>(gatewayKeys.presences, (old) => ({
      ...old,
      ...Object.fromEntries(now.map((p) => [p.userId, p.status])),
    }));
  }

  getAway = () => this.away;

  /**
   * Says our person went away (no input for a while) or came back. Others see an "online" user as idle only while all
   * of that user's devices say so; a status chosen by hand stays as chosen.
   */
  setAway(away: boolean) {
    if (this.away === away) return;
    this.away = away;
    this.listeners.forEach((l) => l());
    void this.sendAway();
  }

  private async sendAway() {
    if (this.connection?.state !== HubConnectionState.Connected) return;
    // Failing is harmless: the next connection's Ready sends it again.
    await this.connection.invoke('SetAway', this.away).catch(() => undefined);
  }

  /** Calls a hub method for voice (features/voice); fails while the gateway is not connected. */
  async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    const connection = this.connection;
    if (connection?.state !== HubConnectionState.Connected) throw new Error('Not connected to the server.');
    return connection.invoke<T>(method, ...args);
  }

  /** Voice signals: VoiceState (anyone's) and VoiceFeeds (media started or stopped in my voice channel). */
  onVoice(listener: VoiceListener): () => void {
    this.voiceListeners.add(listener);
    return () => this.voiceListeners.delete(listener);
  }

  /** DM call signals (features/calls). */
  onCall(listener: CallListener): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /** Marks a channel read up to a message: through the hub, or over REST while the hub is reconnecting. */
  async ack(channelId: string, messageId: string) {
    const connection = this.connection;
    let state: ReadState | null = null;
    if (connection?.state === HubConnectionState.Connected)
      state = await connection.invoke<ReadState>('Ack', channelId, messageId).catch(() => null);
    state ??= await unwrap(
      api.POST('/api/v1/channels/{channelId}/messages/{messageId}/ack', {
        params: { path: { channelId, messageId } },
      }),
    ).catch(() => null);
    if (state) setReadState(this.qc, state);
  }
}

/** Milliseconds to wait when a hub call was refused with "rate_limited: … retry in N s", else null. */
export function rateLimitedFor(error: unknown): number | null {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes('rate_limited')) return null;
  const seconds = /retry in (\d+) s/.exec(message)?.[1];
  return (seconds ? Number(seconds) : 1) * 1000;
}
