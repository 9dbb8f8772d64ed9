// The hub's messages and events, named from the generated OpenAPI schema (`npm run gen:api`): the server publishes
// the gateway contract (src/KamaChat.Server/Features/Gateway/GatewayContract.cs) in its OpenAPI document.
import type { components } from '../../api/schema';

type Schemas = components['schemas'];

/** What the hub's "Event" message carries; `data` is the event's JSON as logged (parse it into `EventData<type>`). */
export type GatewayEvent = Schemas['GatewayEvent'];
/** Where a client stands per stream. Ready sends all three; Resume takes any of them. */
export type StreamCursorsDto = Partial<Schemas['StreamCursors']>;
export type ResumeResult = Schemas['ResumeResult'];
export type ReadyChannel = Schemas['ReadyChannel'];
export type ReadyServer = Schemas['ReadyServer'];
export type ReadyDirectChannel = Schemas['ReadyDirectChannel'];
export type ReadyReadState = Schemas['ReadyReadState'];
/** What we now see in one server and may do there (Ready's channels for it), sent after a role or overwrite change. */
export type ServerView = Schemas['ServerViewChanged'];
export type PresenceSignal = Schemas['PresenceUpdated'];
export type TypingSignal = Schemas['TypingStarted'];
export type ReadyPayload = Schemas['ReadyPayload'];
/** Who is in a voice channel and how; `channelId` null: that user left. */
export type VoiceState = Schemas['VoiceState'];
export type VoiceJoined = Schemas['VoiceJoined'];
export type VoiceSubscription = Schemas['VoiceSubscription'];
/** The server ended our call (`reason`: another_device, disconnected). */
export type VoiceEnded = Schemas['VoiceEnded'];
/** A call in a DM or group DM: who is in it, whose devices ring; `ended`: it is over. */
export type DmCallState = Schemas['DmCallState'];
export type DmCallJoined = Schemas['DmCallJoined'];
/** WebRTC signalling between two participants of a DM call, relayed by the server. */
export type CallSignal = Schemas['CallSignal'];
export type CallSignalReceived = Schemas['CallSignalReceived'];
export type CallCandidate = Schemas['CallCandidate'];

/** The most streams one Resume call may name (ResumeService.MaxStreams); more go in further calls. */
export const MAX_RESUME_STREAMS = 500;

/** Every event the server defines, with its data parsed: a union keyed by `type`. */
export type KnownEvent = Schemas['GatewayEventData'];
export type EventType = KnownEvent['type'];
/** The parsed `data` of an event of the given type, e.g. `EventData<'RoleUpdated'>` is a Role. */
export type EventData<T extends EventType> = Extract<KnownEvent, { type: T }>['data'];
